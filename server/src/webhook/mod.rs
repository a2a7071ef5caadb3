//! Team events posted to chat channels. A state write records its events and their deliveries
//! in the same transaction ([`detect`], the storage's outbox); the delivery task
//! ([`deliver`]) sends them afterwards over [`send`], retrying until they are delivered, so a
//! slow endpoint never slows a write and a crash loses none (at least once, with a stable
//! delivery id receivers can drop duplicates by).

pub mod deliver;
pub mod detect;
pub mod send;

use crate::storage::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use standin::model::{Declaration, Member};
use standin::time::Timestamp;
use std::fmt;
use std::str::FromStr;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Offline,
    Ooo,
    Back,
    Handoff,
    /// `webhook test`'s sample; sent to its one webhook whatever it subscribes to.
    Test,
}

impl EventKind {
    /// The kinds a webhook can subscribe to.
    pub const SUBSCRIBABLE: [EventKind; 4] = [
        EventKind::Offline,
        EventKind::Ooo,
        EventKind::Back,
        EventKind::Handoff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Offline => "offline",
            EventKind::Ooo => "ooo",
            EventKind::Back => "back",
            EventKind::Handoff => "handoff",
            EventKind::Test => "test",
        }
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        EventKind::SUBSCRIBABLE
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event {s:?}: use offline, ooo, back, handoff or all"))
    }
}

/// The format a webhook posts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Slack,
    Teams,
    Mattermost,
    Discord,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Slack => "slack",
            Format::Teams => "teams",
            Format::Mattermost => "mattermost",
            Format::Discord => "discord",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        <Format as clap::ValueEnum>::from_str(s, false)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

impl Webhook {
    pub fn wants(&self, kind: EventKind) -> bool {
        kind == EventKind::Test || self.events.contains(&kind)
    }
}

/// What an event says, as the write that made it saw the team: the renderers' input, stored
/// with the event so a post sent after later edits still tells what happened then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub kind: EventKind,
    pub member: Member,
    /// `None` when a member came back by clearing their declaration.
    pub declaration: Option<Declaration>,
    /// A hand-off's item key (`None`: the cover) and recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    pub item: Option<String>,
    pub to: Member,
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

/// A delivery the task has claimed (leased) and must send now.
#[derive(Clone, Debug, PartialEq)]
pub struct Claimed {
    pub id: String,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub webhook: Webhook,
    pub snapshot: Snapshot,
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
    /// Every webhook, by team name then age.
    async fn webhooks(&self) -> Result<Vec<(String, Webhook)>>;
    async fn remove_webhook(&self, id: &str) -> Result<bool>;
    /// Queues `snapshot` for one webhook, due at once; the delivery id, or `None` when there
    /// is no such webhook.
    async fn queue_test(&self, webhook_id: &str, snapshot: &Snapshot) -> Result<Option<String>>;
    /// A team's deliveries, newest first.
    async fn deliveries(&self, team_id: &str, failed_only: bool) -> Result<Vec<DeliveryInfo>>;
    /// Sends a finished delivery again (same id); false when there is none such.
    async fn redeliver(&self, id: &str, now: Timestamp) -> Result<bool>;
    /// Leases up to `limit` due deliveries until `now + lease`. A first attempt is due once
    /// its event is `window` old (coalescing); a retry at its time.
    async fn claim(
        &self,
        now: Timestamp,
        window_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>>;
    async fn finish(&self, id: &str, outcome: &Outcome, now: Timestamp) -> Result<()>;
}
