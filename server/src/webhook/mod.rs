//! Team-channel webhooks. A state write records its events ([`detect`], as [`Event`]s) and
//! their deliveries in the same transaction (the storage's outbox); the delivery task
//! ([`deliver`]) renders each for its service ([`format`]) and sends it over [`send`],
//! retrying until it is delivered, so a slow endpoint never slows a write and a crash loses
//! none (at least once, with a stable delivery id receivers can drop duplicates by).

pub mod deliver;
pub mod detect;
pub mod event;
pub mod format;
pub mod retention;
pub mod roots;
pub mod send;

pub use event::{Event, EventKind};
pub use format::{render, Delivery, Format, Rendered};

/// The `json` format's payload in the API document: its schemas, and OpenAPI 3.1's top-level
/// `webhooks` entry describing the request StandIn sends.
pub struct WebhooksDoc;

impl utoipa::Modify for WebhooksDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::{PartialSchema, ToSchema};
        let mut schemas = vec![(Event::name().into_owned(), Event::schema())];
        <Event as ToSchema>::schemas(&mut schemas);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.extend(schemas);
        // utoipa 5 has no field for `webhooks`; its extensions are written at the top level.
        openapi
            .extensions
            .get_or_insert_with(Default::default)
            .insert("webhooks".to_owned(), format::openapi_webhook());
    }
}

use crate::storage::Result;
use async_trait::async_trait;
use standin::time::Timestamp;

/// The name `webhook add --events` takes for a kind (`ooo` for out of office).
pub fn subscription_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::OutOfOffice => "ooo",
        other => other.as_str(),
    }
}

/// The kind a subscription name (or the kind's wire name) stands for.
pub fn parse_subscription(name: &str) -> Option<EventKind> {
    EventKind::ALL
        .into_iter()
        .find(|k| subscription_name(*k) == name || k.as_str() == name)
}

/// A team's channel endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub team_id: String,
    pub url: String,
    pub format: Format,
    pub events: Vec<EventKind>,
    /// Only ever shown as its last four characters.
    pub secret: Option<String>,
}

/// A delivery as `webhook deliveries` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryInfo {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub status: String,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub last_error: Option<String>,
}

/// What one [`Outbox::prune`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deliveries: u64,
    pub events: u64,
}

/// A delivery the task has claimed (leased) and must send now.
#[derive(Clone, Debug, PartialEq)]
pub struct Claimed {
    pub id: String,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub webhook: Webhook,
    pub event: Event,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Retry { at: Timestamp, error: String },
    Failed(String),
}

/// The outbox's storage; both backends implement it next to their [`crate::storage::Storage`].
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn add_webhook(&self, hook: &Webhook, now: Timestamp) -> Result<()>;
    /// Every webhook with its team's name, by team name then age.
    async fn webhooks(&self) -> Result<Vec<(String, Webhook)>>;
    async fn remove_webhook(&self, id: &str) -> Result<bool>;
    /// Queues `event` as a `test` for one webhook, due at once; the delivery id, or `None`
    /// when there is no such webhook.
    async fn queue_test(&self, webhook_id: &str, event: &Event) -> Result<Option<String>>;
    /// A team's latest deliveries, newest first.
    async fn deliveries(&self, team_id: &str, failed_only: bool) -> Result<Vec<DeliveryInfo>>;
    /// Sends a finished delivery again (same id); false when there is none such.
    async fn redeliver(&self, id: &str, now: Timestamp) -> Result<bool>;
    /// Leases up to `limit` due deliveries until `now + lease`. A first attempt is due once
    /// its first event is `window` old (coalescing); a retry at its time.
    async fn claim(
        &self,
        now: Timestamp,
        window_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>>;
    async fn finish(&self, id: &str, outcome: &Outcome, now: Timestamp) -> Result<()>;
    /// Deletes up to `limit` deliveries that finished (delivered, or failed for good) before
    /// `before`, then up to `limit` events older than `before` that no delivery refers to, each
    /// in a short transaction. A pending delivery is never deleted, however old. Safe to run
    /// from several replicas at once.
    async fn prune(&self, before: Timestamp, limit: i64) -> Result<Pruned>;
}
