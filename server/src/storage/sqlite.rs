//! SQLite backend: one file, WAL, for a single server process. Writes go through a pool of one
//! connection and start with `BEGIN IMMEDIATE`, so they queue in-process instead of failing
//! with SQLITE_BUSY; readers use their own pool and never block the writer (WAL). The CLI may
//! write the same file from another process; the busy timeout covers that.

use super::common::impl_storage;
use super::outbox::{self, impl_outbox};
use super::*;
use crate::storage::sql;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    hub: Arc<ChangeHub>,
}

impl SqliteStore {
    pub async fn open(url: &str, hub: Arc<ChangeHub>) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a write answered 2xx has reached the disk, not only the OS cache.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|conn, _| Box::pin(super::release_clean(conn)))
            .connect_with(options.clone())
            .await?;
        super::migrations::sqlite().run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .after_release(|conn, _| Box::pin(super::release_clean(conn)))
            .connect_with(options)
            .await?;
        let store = SqliteStore { read, write, hub };
        store.settle().await?;
        Ok(store)
    }

    fn pool(&self) -> &SqlitePool {
        &self.read
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A deferred read transaction is one consistent WAL snapshot.
    async fn read_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.read.begin().await?)
    }

    /// One process: the hub is told after commit; nobody else needs telling.
    async fn announce(
        &self,
        _tx: &mut Transaction<'static, Sqlite>,
        _team_id: &str,
        _seq: i64,
    ) -> Result<()> {
        Ok(())
    }
}

impl_storage!(SqliteStore, Sqlite, "sqlite");
impl_outbox!(
    SqliteStore,
    Sqlite,
    outbox::CLAIM_SQLITE,
    outbox::PRUNE_SQLITE
);
