//! The webhook outbox in both backends: its SQL, the events a state write records inside its
//! transaction, and the [`Outbox`](crate::webhook::Outbox) the CLI and the delivery task use.
//! Like `common.rs`, a macro writes it once for each store; only claiming differs.

use super::*;
use crate::webhook::{parse_subscription, DeliveryInfo, Format, Webhook};

pub const INSERT_WEBHOOK: &str = "INSERT INTO webhooks (id, team_id, url, kind, events, \
     secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const TEAM_WEBHOOKS: &str =
    "SELECT id, team_id, url, kind, events, secret FROM webhooks WHERE team_id = $1";
pub const ALL_WEBHOOKS: &str = "SELECT t.name, w.id, w.team_id, w.url, w.kind, w.events, \
     w.secret FROM webhooks w JOIN teams t ON t.id = w.team_id ORDER BY t.name, w.created_at";
pub const WEBHOOK: &str =
    "SELECT id, team_id, url, kind, events, secret FROM webhooks WHERE id = $1";
pub const DELETE_WEBHOOK: &str = "DELETE FROM webhooks WHERE id = $1";

pub const INSERT_EVENT: &str = "INSERT INTO webhook_events (team_id, kind, body, created_at) \
     VALUES ($1, $2, $3, $4) RETURNING id";
/// Deliveries of an event key still waiting out their window, not leased by a sender: a newer
/// event of the key takes their place (same delivery id, same due time).
pub const WAITING: &str = "SELECT id, webhook_id, event_id FROM webhook_deliveries \
     WHERE coalesce_key = $1 AND status = 'pending' AND attempts = 0 \
     AND (claimed_until IS NULL OR claimed_until < $2)";
pub const EVENT_BODY: &str = "SELECT body FROM webhook_events WHERE id = $1";
pub const REPLACE_EVENT: &str = "UPDATE webhook_deliveries SET event_id = $1 WHERE id = $2";
pub const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (id, webhook_id, event_id, \
     coalesce_key, status, attempts, next_attempt_at, created_at) \
     VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6)";

/// The due deliveries a sender leases: `$1` lease end, `$2` now, `$3` now minus the window,
/// `$4` how many. PostgreSQL skips rows another replica is claiming (`SKIP_LOCKED`).
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN (",
            "SELECT id FROM webhook_deliveries WHERE status = 'pending' ",
            "AND (claimed_until IS NULL OR claimed_until < $2) ",
            "AND next_attempt_at <= CASE WHEN attempts = 0 THEN $3 ELSE $2 END ",
            "ORDER BY next_attempt_at LIMIT $4",
            $lock,
            ") RETURNING id"
        )
    };
}
pub const CLAIM_SQLITE: &str = claim_sql!("");
pub const CLAIM_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");
pub const CLAIMED: &str = "SELECT d.id, d.attempts, d.created_at, w.id, w.team_id, w.url, \
     w.kind, w.events, w.secret, e.body FROM webhook_deliveries d \
     JOIN webhooks w ON w.id = d.webhook_id JOIN webhook_events e ON e.id = d.event_id \
     WHERE d.id = $1";
pub const FINISH: &str = "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, \
     next_attempt_at = $2, last_error = $3, delivered_at = $4, claimed_until = NULL WHERE id = $5";
pub const DELIVERIES: &str = "SELECT d.id, d.webhook_id, e.kind, d.status, d.attempts, \
     d.created_at, d.last_error FROM webhook_deliveries d \
     JOIN webhooks w ON w.id = d.webhook_id JOIN webhook_events e ON e.id = d.event_id \
     WHERE w.team_id = $1 AND (NOT $2 OR d.status = 'failed') \
     ORDER BY d.created_at DESC, d.id LIMIT 200";
/// Up to `$2` deliveries that finished (delivered or failed for good) before `$1`: `FINISH`
/// stamps `next_attempt_at` with the time, so the `webhook_deliveries_due` index finds them.
/// Pending ones are never chosen. PostgreSQL skips rows another replica's prune, or a
/// `redeliver`, holds: two replicas pruning together neither wait nor deadlock.
macro_rules! prune_deliveries_sql {
    ($lock:literal) => {
        concat!(
            "DELETE FROM webhook_deliveries WHERE id IN (",
            "SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'failed') ",
            "AND next_attempt_at < $1 LIMIT $2",
            $lock,
            ")"
        )
    };
}
/// Then up to `$2` events older than `$1` that no delivery refers to any more: theirs were
/// pruned or their webhook removed, or a newer event of their key took their place.
macro_rules! prune_events_sql {
    ($lock:literal) => {
        concat!(
            "DELETE FROM webhook_events WHERE id IN (",
            "SELECT id FROM webhook_events e WHERE created_at < $1 AND NOT EXISTS (",
            "SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT $2",
            $lock,
            ")"
        )
    };
}
pub const PRUNE_SQLITE: [&str; 2] = [prune_deliveries_sql!(""), prune_events_sql!("")];
pub const PRUNE_POSTGRES: [&str; 2] = [
    prune_deliveries_sql!(" FOR UPDATE SKIP LOCKED"),
    prune_events_sql!(" FOR UPDATE SKIP LOCKED"),
];
/// A finished delivery goes out again under its id, with a fresh 24 hours of retries.
pub const REDELIVER: &str = "UPDATE webhook_deliveries SET status = 'pending', \
     next_attempt_at = $1, created_at = $1, claimed_until = NULL \
     WHERE id = $2 AND status <> 'pending'";

/// A `webhooks` row: id, team, url, format, events, secret.
pub(crate) type WebhookRow = (String, String, String, String, String, Option<String>);
/// A `webhooks` row after its team's name.
pub(crate) type TeamWebhookRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);
/// A claimed delivery: id, attempts, created at, its webhook's row, the event's snapshot.
pub(crate) type ClaimedRow = (
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
);
/// A listed delivery: id, webhook, event kind, status, attempts, created at, last error.
pub(crate) type DeliveryRow = (String, String, String, String, i64, i64, Option<String>);

pub(crate) fn webhook_from_row(row: WebhookRow) -> Result<Webhook> {
    let (id, team_id, url, format, events, secret) = row;
    let corrupt = |what: String| StorageError::Corrupt(serde::de::Error::custom(what));
    Ok(Webhook {
        id,
        team_id,
        url,
        format: Format::parse(&format).ok_or_else(|| corrupt(format!("format {format:?}")))?,
        events: events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| parse_subscription(e).ok_or_else(|| corrupt(format!("event {e:?}"))))
            .collect::<Result<_>>()?,
        secret,
    })
}

pub(crate) fn delivery_from_row(row: DeliveryRow) -> DeliveryInfo {
    let (id, webhook_id, event, status, attempts, created_at, last_error) = row;
    DeliveryInfo {
        id,
        webhook_id,
        event,
        status,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        created_at: Timestamp(created_at),
        last_error,
    }
}

macro_rules! impl_outbox {
    ($store:ty, $db:ty, $claim:expr, $prune:expr) => {
        impl $store {
            /// Records the events of `member_id`'s write from the stored `before` row to
            /// `after`, with a delivery to each webhook of the team that wants them, in the
            /// write's transaction. A team without webhooks pays one indexed read.
            async fn record_events(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
                before: Option<&StateRow>,
                after: &MemberState,
                members: &[MemberRecord],
                now: Timestamp,
            ) -> Result<()> {
                use $crate::webhook::detect::{absorb, detect, keep_handoffs, Declared};
                use $crate::webhook::{Event, EventKind};
                let hooks: Vec<outbox::WebhookRow> = sqlx::query_as(outbox::TEAM_WEBHOOKS)
                    .bind(team_id)
                    .fetch_all(&mut **tx)
                    .await?;
                if hooks.is_empty() {
                    return Ok(());
                }
                let hooks = hooks
                    .into_iter()
                    .map(outbox::webhook_from_row)
                    .collect::<Result<Vec<_>>>()?;
                let old: Option<Declaration> = before
                    .and_then(|r| r.2.as_deref())
                    .map(serde_json::from_str)
                    .transpose()?;
                let old_recipients: Vec<Recipient> = before
                    .and_then(|r| r.4.as_deref())
                    .map(serde_json::from_str)
                    .transpose()?
                    .unwrap_or_default();
                let old = old.as_ref().map(|declaration| Declared {
                    declaration,
                    recipients: &old_recipients,
                });
                let new = after.state.as_ref().map(|s| Declared {
                    declaration: &s.declaration,
                    recipients: &after.recipients,
                });
                let roster: Vec<Member> = members.iter().map(|m| m.member.clone()).collect();
                let Some(declarer) = roster.iter().find(|m| m.id == after.member_id) else {
                    return Ok(());
                };
                for trigger in detect(old, new) {
                    let key = trigger.coalesce_key(&declarer.id);
                    let waiting: Vec<(String, String, i64)> = sqlx::query_as(outbox::WAITING)
                        .bind(&key)
                        .bind(now.millis())
                        .fetch_all(&mut **tx)
                        .await?;
                    let wanted = hooks.iter().filter(|h| h.events.contains(&trigger.kind));
                    let (replaced, fresh): (Vec<_>, Vec<_>) = wanted
                        .map(|h| (h, waiting.iter().find(|w| w.1 == h.id)))
                        .partition(|(_, waiting)| waiting.is_some());
                    if replaced.is_empty() && (trigger.amends || fresh.is_empty()) {
                        continue;
                    }
                    let mut event =
                        Event::new(trigger.kind, team_id, declarer, after, &roster, now);
                    if trigger.kind == EventKind::Handoff {
                        keep_handoffs(&mut event, &trigger);
                        let mut absorbed = Vec::new();
                        for (_, _, older) in &waiting {
                            if !absorbed.contains(older) {
                                absorbed.push(*older);
                                let (body,): (String,) = sqlx::query_as(outbox::EVENT_BODY)
                                    .bind(older)
                                    .fetch_one(&mut **tx)
                                    .await?;
                                absorb(&mut event, serde_json::from_str(&body)?);
                            }
                        }
                    }
                    let (event_id,): (i64,) = sqlx::query_as(outbox::INSERT_EVENT)
                        .bind(team_id)
                        .bind(trigger.kind.as_str())
                        .bind(serde_json::to_string(&event)?)
                        .bind(now.millis())
                        .fetch_one(&mut **tx)
                        .await?;
                    for (delivery, _, _) in replaced.into_iter().filter_map(|(_, w)| w) {
                        sqlx::query(outbox::REPLACE_EVENT)
                            .bind(event_id)
                            .bind(delivery)
                            .execute(&mut **tx)
                            .await?;
                    }
                    if !trigger.amends {
                        for (hook, _) in fresh {
                            Self::insert_delivery(tx, &hook.id, event_id, &key, now.millis(), now)
                                .await?;
                        }
                    }
                }
                Ok(())
            }

            /// Runs one statement in a write transaction; how many rows it changed.
            async fn write_one<'q>(
                &self,
                statement: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
            ) -> Result<u64> {
                let mut tx = self.write_tx().await?;
                let done = statement.execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn insert_delivery(
                tx: &mut sqlx::Transaction<'static, $db>,
                webhook_id: &str,
                event_id: i64,
                key: &str,
                due: i64,
                now: Timestamp,
            ) -> Result<String> {
                let id = new_id("d_");
                sqlx::query(outbox::INSERT_DELIVERY)
                    .bind(&id)
                    .bind(webhook_id)
                    .bind(event_id)
                    .bind(key)
                    .bind(due)
                    .bind(now.millis())
                    .execute(&mut **tx)
                    .await?;
                Ok(id)
            }
        }

        #[async_trait]
        impl $crate::webhook::Outbox for $store {
            async fn add_webhook(
                &self,
                hook: &$crate::webhook::Webhook,
                now: Timestamp,
            ) -> Result<()> {
                let events: Vec<&str> = hook
                    .events
                    .iter()
                    .map(|e| $crate::webhook::subscription_name(*e))
                    .collect();
                let insert = sqlx::query(outbox::INSERT_WEBHOOK)
                    .bind(&hook.id)
                    .bind(&hook.team_id)
                    .bind(&hook.url)
                    .bind(hook.format.as_str())
                    .bind(events.join(","))
                    .bind(&hook.secret)
                    .bind(now.millis());
                self.write_one(insert).await?;
                Ok(())
            }

            async fn webhooks(&self) -> Result<Vec<(String, $crate::webhook::Webhook)>> {
                let rows: Vec<outbox::TeamWebhookRow> = sqlx::query_as(outbox::ALL_WEBHOOKS)
                    .fetch_all(self.pool())
                    .await?;
                rows.into_iter()
                    .map(|(team, a, b, c, d, e, f)| {
                        Ok((team, outbox::webhook_from_row((a, b, c, d, e, f))?))
                    })
                    .collect()
            }

            async fn remove_webhook(&self, id: &str) -> Result<bool> {
                let delete = sqlx::query(outbox::DELETE_WEBHOOK).bind(id);
                Ok(self.write_one(delete).await? > 0)
            }

            async fn queue_test(
                &self,
                webhook_id: &str,
                event: &$crate::webhook::Event,
            ) -> Result<Option<String>> {
                let mut tx = self.write_tx().await?;
                let hook: Option<outbox::WebhookRow> = sqlx::query_as(outbox::WEBHOOK)
                    .bind(webhook_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(hook) = hook else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let (event_id,): (i64,) = sqlx::query_as(outbox::INSERT_EVENT)
                    .bind(&hook.1)
                    .bind("test")
                    .bind(serde_json::to_string(event)?)
                    .bind(event.at.millis())
                    .fetch_one(&mut *tx)
                    .await?;
                // Due at once (no window), and never coalesced with anything.
                let key = new_id("test/");
                let id =
                    Self::insert_delivery(&mut tx, webhook_id, event_id, &key, 0, event.at).await?;
                tx.commit().await?;
                Ok(Some(id))
            }

            async fn deliveries(
                &self,
                team_id: &str,
                failed_only: bool,
            ) -> Result<Vec<$crate::webhook::DeliveryInfo>> {
                let rows: Vec<outbox::DeliveryRow> = sqlx::query_as(outbox::DELIVERIES)
                    .bind(team_id)
                    .bind(failed_only)
                    .fetch_all(self.pool())
                    .await?;
                Ok(rows.into_iter().map(outbox::delivery_from_row).collect())
            }

            async fn redeliver(&self, id: &str, now: Timestamp) -> Result<bool> {
                let again = sqlx::query(outbox::REDELIVER).bind(now.millis()).bind(id);
                Ok(self.write_one(again).await? > 0)
            }

            async fn claim(
                &self,
                now: Timestamp,
                window_ms: i64,
                lease_ms: i64,
                limit: i64,
            ) -> Result<Vec<$crate::webhook::Claimed>> {
                let mut tx = self.write_tx().await?;
                let ids: Vec<(String,)> = sqlx::query_as($claim)
                    .bind(now.millis().saturating_add(lease_ms))
                    .bind(now.millis())
                    .bind(now.millis().saturating_sub(window_ms))
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let mut claimed = Vec::with_capacity(ids.len());
                for (id,) in ids {
                    let row: outbox::ClaimedRow = sqlx::query_as(outbox::CLAIMED)
                        .bind(&id)
                        .fetch_one(self.pool())
                        .await?;
                    let (id, attempts, created_at, a, b, c, d, e, f, body) = row;
                    claimed.push($crate::webhook::Claimed {
                        id,
                        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        created_at: Timestamp(created_at),
                        webhook: outbox::webhook_from_row((a, b, c, d, e, f))?,
                        event: serde_json::from_str(&body)?,
                    });
                }
                Ok(claimed)
            }

            async fn finish(
                &self,
                id: &str,
                outcome: &$crate::webhook::Outcome,
                now: Timestamp,
            ) -> Result<()> {
                use $crate::webhook::Outcome;
                let (status, next, error, delivered) = match outcome {
                    Outcome::Delivered => ("delivered", now.millis(), None, Some(now.millis())),
                    Outcome::Retry { at, error } => ("pending", at.millis(), Some(error), None),
                    Outcome::Failed(error) => ("failed", now.millis(), Some(error), None),
                };
                let finish = sqlx::query(outbox::FINISH)
                    .bind(status)
                    .bind(next)
                    .bind(error)
                    .bind(delivered)
                    .bind(id);
                self.write_one(finish).await?;
                Ok(())
            }

            async fn prune(
                &self,
                before: Timestamp,
                limit: i64,
            ) -> Result<$crate::webhook::Pruned> {
                let [deliveries, events] =
                    $prune.map(|sql| sqlx::query(sql).bind(before.millis()).bind(limit));
                Ok($crate::webhook::Pruned {
                    deliveries: self.write_one(deliveries).await?,
                    events: self.write_one(events).await?,
                })
            }
        }
    };
}

pub(crate) use impl_outbox;
