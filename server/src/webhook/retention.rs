//! Keeps the outbox from growing without bound: finished deliveries (delivered, or failed for
//! good) older than `serve --webhook-retention` are deleted, with the events no delivery refers
//! to any more. Pending deliveries stay, however old. Runs at start and then hourly, beside the
//! delivery task, in batches so a large backlog never holds SQLite's write lock, or a
//! PostgreSQL transaction, for long.

use super::{Outbox, Pruned};
use crate::storage::{Result, Storage};
use standin::time::Timestamp;
use std::sync::Arc;
use std::time::Duration;

/// How often `serve` prunes.
pub const EVERY: Duration = Duration::from_secs(3600);
/// Rows of each table one transaction deletes at most.
pub const BATCH: u32 = 500;
/// Between batches: another process's write (the CLI's, on SQLite) gets its turn.
const PAUSE: Duration = Duration::from_millis(50);

/// Deletes everything [`Outbox::prune`] may that finished `retention` before `now`, batch after
/// batch until one comes back short; what was deleted in all.
pub async fn prune(
    outbox: &dyn Outbox,
    now: Timestamp,
    retention: Duration,
    batch: u32,
) -> Result<Pruned> {
    let keep_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    let before = Timestamp(now.millis().saturating_sub(keep_ms));
    let batch = batch.max(1);
    let mut total = Pruned::default();
    loop {
        let done = outbox.prune(before, i64::from(batch)).await?;
        total.deliveries += done.deliveries;
        total.events += done.events;
        if done.deliveries < u64::from(batch) && done.events < u64::from(batch) {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Prunes now and then every `every`, until the process ends.
pub async fn run(store: Arc<dyn Storage>, retention: Duration, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match prune(store.outbox(), crate::now(), retention, BATCH).await {
            Ok(Pruned {
                deliveries: 0,
                events: 0,
            }) => {}
            Ok(done) => tracing::info!(
                deliveries = done.deliveries,
                events = done.events,
                "deleted webhook records past their retention"
            ),
            // Whatever a failed batch left is deleted next time.
            Err(error) => tracing::warn!(%error, "cannot prune the webhook outbox"),
        }
    }
}
