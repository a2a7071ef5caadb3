//! PostgreSQL backend: several stateless replicas share one database. A write NOTIFYs
//! `standin_changes` inside its transaction (delivered on commit); every replica LISTENs and
//! wakes its own long-polls, so a change written through replica A reaches a client waiting on
//! replica B.

use super::common::impl_storage;
use super::outbox::{self, impl_outbox};
use super::*;
use crate::storage::sql;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The NOTIFY channel; payload `team_id:seq`.
const CHANNEL: &str = "standin_changes";

pub struct PgStore {
    pool: PgPool,
    hub: Arc<ChangeHub>,
    listener: JoinHandle<()>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgStore {
    pub async fn open(url: &str, hub: Arc<ChangeHub>) -> Result<Self> {
        Self::open_with(PgConnectOptions::from_str(url)?, hub).await
    }

    pub async fn open_with(options: PgConnectOptions, hub: Arc<ChangeHub>) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .after_release(|conn, _| Box::pin(super::release_clean(conn)))
            .connect_with(options)
            .await?;
        super::migrations::postgres().run(&pool).await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let listener = tokio::spawn(listen(listener, hub.clone()));
        let store = PgStore {
            pool,
            hub,
            listener,
        };
        store.settle().await?;
        Ok(store)
    }

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// READ COMMITTED is enough: every write first locks its team's row (`BUMP_SEQ`).
    async fn write_tx(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// One snapshot for the cursor and the rows read after it.
    async fn read_tx(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?)
    }

    async fn announce(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        team_id: &str,
        seq: i64,
    ) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(format!("{team_id}:{seq}"))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// Relays notifications to this replica's hub. After a lost connection (sqlx reconnects and
/// re-listens by itself) notifications may have been missed, so every waiter re-checks.
async fn listen(mut listener: PgListener, hub: Arc<ChangeHub>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(note)) => {
                let parsed = note
                    .payload()
                    .rsplit_once(':')
                    .and_then(|(team, seq)| Some((team, seq.parse::<u64>().ok()?)));
                match parsed {
                    Some((team, seq)) => hub.publish(team, seq),
                    None => tracing::warn!(payload = note.payload(), "odd notification"),
                }
            }
            Ok(None) => {
                tracing::warn!("lost the LISTEN connection; reconnecting");
                hub.wake_all();
            }
            Err(error) => {
                tracing::error!(%error, "LISTEN failed; retrying in 1 s");
                hub.wake_all();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

impl_storage!(PgStore, Postgres, "postgres");
impl_outbox!(
    PgStore,
    Postgres,
    outbox::CLAIM_POSTGRES,
    outbox::PRUNE_POSTGRES
);
