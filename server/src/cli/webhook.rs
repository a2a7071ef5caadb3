//! `webhook add|list|remove|test|deliveries|redeliver`, and the flags `serve` runs the
//! delivery task with.

use super::{parse_duration, team_named, CliError};
use crate::storage::Storage;
use crate::webhook::deliver::Settings;
use crate::webhook::roots;
use crate::webhook::send::{self, Policy};
use crate::webhook::{parse_subscription, subscription_name, Event, EventKind, Format, Webhook};
use crate::{now, storage};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Post a team's events to a channel.
    Add {
        #[arg(long, env = "STANDIN_TEAM")]
        team: String,
        /// `https://…` (the channel's incoming-webhook URL).
        #[arg(long, env = "STANDIN_WEBHOOK_URL")]
        url: String,
        /// slack, teams, mattermost, discord or json.
        #[arg(long, env = "STANDIN_WEBHOOK_KIND", value_parser = parse_format)]
        kind: Format,
        /// Which events: a comma-separated list of offline, ooo, back, handoff; or all.
        #[arg(long, env = "STANDIN_WEBHOOK_EVENTS", default_value = "all", value_parser = parse_events)]
        events: Events,
        /// The HMAC-SHA256 key the json format signs with; stored, never printed.
        #[arg(long, env = "STANDIN_WEBHOOK_SECRET", hide_env_values = true)]
        secret: Option<String>,
    },
    /// List every webhook (the secret as its last 4 characters).
    List,
    /// Remove a webhook and its deliveries.
    Remove {
        /// Webhook id (`w_…`, see `webhook list`).
        id: String,
    },
    /// Queue a sample post to one webhook; the running server sends it at once.
    Test {
        /// Webhook id (`w_…`).
        id: String,
    },
    /// A team's latest 200 deliveries, newest first: time, event, status, attempts, last
    /// error. Pending ones stay until they finish; delivered and failed ones are kept for
    /// `serve --webhook-retention` (14 days by default) after they finished.
    Deliveries {
        #[arg(long, env = "STANDIN_TEAM")]
        team: String,
        /// Only those that failed for good.
        #[arg(long)]
        failed: bool,
    },
    /// Send a finished delivery again, under the same delivery id.
    Redeliver {
        /// Delivery id (`d_…`, see `webhook deliveries`).
        delivery: String,
    },
}

/// The event kinds a webhook subscribes to (a type of its own so clap takes the whole list).
#[derive(Clone, Debug)]
pub struct Events(Vec<EventKind>);

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        format!("unknown kind {text:?}: use slack, teams, mattermost, discord or json")
    })
}

fn parse_events(text: &str) -> Result<Events, String> {
    if text == "all" {
        return Ok(Events(EventKind::ALL.to_vec()));
    }
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim) {
        let kind = parse_subscription(name).ok_or_else(|| {
            format!("unknown event {name:?}: use offline, ooo, back, handoff or all")
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(Events(kinds))
}

#[derive(Debug, Args)]
pub struct WebhookServeArgs {
    /// Post to `http://` loopback URLs (for tests); https is required otherwise.
    #[arg(long, env = "STANDIN_ALLOW_INSECURE_WEBHOOKS")]
    pub allow_insecure_webhooks: bool,
    /// Post to private, loopback, link-local and cloud-metadata addresses.
    #[arg(long, env = "STANDIN_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// A PEM file of one or more CA certificates that https webhooks trust besides Mozilla's
    /// roots (an endpoint behind the team's own CA). Read at start; a file that cannot be read
    /// or holds no valid certificate stops `serve`.
    #[arg(long, env = "STANDIN_WEBHOOK_CA_FILE", value_name = "PATH")]
    pub webhook_ca_file: Option<PathBuf>,
    /// Edits within this time of an event make one post.
    #[arg(long, env = "STANDIN_WEBHOOK_WINDOW", default_value = "60s", value_parser = parse_duration)]
    pub webhook_window: Duration,
    /// The first retry's delay after a failed post; each next one doubles (up to 1 h).
    #[arg(long, env = "STANDIN_WEBHOOK_RETRY_BASE", default_value = "10s", value_parser = parse_duration)]
    pub webhook_retry_base: Duration,
    /// How long a delivered or failed delivery is kept (for `webhook deliveries` and
    /// `redeliver`) before it and its event are deleted; checked hourly. Pending ones are always
    /// kept. `off` (or `0`) keeps them forever.
    #[arg(long, env = "STANDIN_WEBHOOK_RETENTION", default_value = "14d", value_parser = parse_retention)]
    pub webhook_retention: Retention,
}

/// How long finished deliveries are kept; `None`: forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention(pub Option<Duration>);

fn parse_retention(text: &str) -> Result<Retention, String> {
    match text {
        "off" | "0" => Ok(Retention(None)),
        _ => parse_duration(text)
            .map(|d| Retention(Some(d)))
            .map_err(|e| format!("{e} (or off to keep them forever)")),
    }
}

impl WebhookServeArgs {
    /// The delivery task's settings; reads `--webhook-ca-file`.
    pub fn settings(&self) -> Result<Settings, CliError> {
        let roots = match &self.webhook_ca_file {
            None => roots::mozilla(),
            Some(path) => {
                let (roots, added) =
                    roots::with_ca_file(path).map_err(|source| CliError::CaFile {
                        path: path.clone(),
                        source,
                    })?;
                tracing::info!(
                    "https webhooks trust {added} CA certificate(s) from {} besides Mozilla's roots",
                    path.display()
                );
                roots
            }
        };
        Ok(Settings {
            window: self.webhook_window,
            retry_base: self.webhook_retry_base,
            policy: Policy {
                insecure_loopback: self.allow_insecure_webhooks,
                private: self.allow_private_webhooks,
            },
            roots,
            ..Settings::default()
        })
    }
}

/// The last four characters, as `…abcd`.
fn masked(secret: Option<&str>) -> String {
    secret.map_or_else(String::new, |s| {
        let tail: String = s
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    })
}

pub async fn run(store: &dyn Storage, command: WebhookCommand) -> Result<(), CliError> {
    let outbox = store.outbox();
    match command {
        WebhookCommand::Add {
            team,
            url,
            kind,
            events,
            secret,
        } => {
            let team = team_named(store, &team).await?;
            send::parse_url(&url).map_err(|e| CliError::BadWebhook(e.to_string()))?;
            if events.0.is_empty() {
                return Err(CliError::BadWebhook("no events chosen".into()));
            }
            let hook = Webhook {
                id: storage::new_id("w_"),
                team_id: team.id,
                url,
                format: kind,
                events: events.0,
                secret: secret.filter(|s| !s.is_empty()),
            };
            outbox.add_webhook(&hook, now()).await?;
            let names: Vec<&str> = hook.events.iter().map(|e| subscription_name(*e)).collect();
            println!(
                "added webhook {} to team {} ({}, events {})",
                hook.id,
                team.name,
                hook.format.as_str(),
                names.join(",")
            );
        }
        WebhookCommand::List => {
            println!(
                "{:<20} {:<16} {:<10} {:<26} {:<7} url",
                "id", "team", "kind", "events", "secret"
            );
            for (team, hook) in outbox.webhooks().await? {
                let names: Vec<&str> = hook.events.iter().map(|e| subscription_name(*e)).collect();
                println!(
                    "{:<20} {:<16} {:<10} {:<26} {:<7} {}",
                    hook.id,
                    team,
                    hook.format.as_str(),
                    names.join(","),
                    masked(hook.secret.as_deref()),
                    hook.url
                );
            }
        }
        WebhookCommand::Remove { id } => {
            if !outbox.remove_webhook(&id).await? {
                return Err(CliError::NoWebhook(id));
            }
            println!("removed webhook {id}");
        }
        WebhookCommand::Test { id } => {
            let Some(delivery) = outbox.queue_test(&id, &Event::sample(now())).await? else {
                return Err(CliError::NoWebhook(id));
            };
            println!("queued test delivery {delivery} to {id}; the running server sends it now");
        }
        WebhookCommand::Deliveries { team, failed } => {
            let team = team_named(store, &team).await?;
            println!(
                "{:<24} {:<20} {:<20} {:<8} {:<10} {:>8}  last error",
                "time", "delivery", "webhook", "event", "status", "attempts"
            );
            for d in outbox.deliveries(&team.id, failed).await? {
                println!(
                    "{:<24} {:<20} {:<20} {:<8} {:<10} {:>8}  {}",
                    d.created_at.to_string(),
                    d.id,
                    d.webhook_id,
                    d.event,
                    d.status,
                    d.attempts,
                    d.last_error.unwrap_or_default()
                );
            }
        }
        WebhookCommand::Redeliver { delivery } => {
            if !outbox.redeliver(&delivery, now()).await? {
                return Err(CliError::NoDelivery(delivery));
            }
            println!("{delivery} will be sent again");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_as_a_list_or_all() {
        assert_eq!(parse_events("all").unwrap().0, EventKind::ALL);
        assert_eq!(
            parse_events("back, ooo,back").unwrap().0,
            [EventKind::Back, EventKind::OutOfOffice]
        );
        assert!(parse_events("offline,test").is_err());
        assert!(parse_events("").is_err());
    }

    #[test]
    fn retention_is_a_duration_or_off() {
        let days = |n: u64| Retention(Some(Duration::from_secs(n * 86_400)));
        assert_eq!(parse_retention("14d"), Ok(days(14)));
        assert_eq!(
            parse_retention("36h"),
            Ok(Retention(Some(Duration::from_secs(36 * 3600))))
        );
        assert_eq!(parse_retention("off"), Ok(Retention(None)));
        assert_eq!(parse_retention("0"), Ok(Retention(None)));
        for bad in ["", "14", "2w", "0d", "-1d", "999d", "forever"] {
            let error = parse_retention(bad).unwrap_err();
            assert!(
                error.ends_with("(or off to keep them forever)"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn secrets_show_only_their_last_four_characters() {
        assert_eq!(masked(Some("s3cr3t-value-WXYZ")), "…WXYZ");
        assert_eq!(masked(Some("ab")), "…ab");
        assert_eq!(masked(None), "");
    }
}
