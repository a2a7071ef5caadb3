//! The delivery task: leases due deliveries from the outbox, posts them, and records how each
//! attempt ended. Retries 5xx, 429 (after its Retry-After) and network errors with exponential
//! backoff and jitter for 24 hours; any other answer stops and is recorded. A sender that dies
//! mid-post loses its lease, and the delivery goes out again under the same id (at least once).

use super::send::{self, Answer, Policy, SendError};
use super::{render, Claimed, Delivery, Outcome};
use crate::storage::Storage;
use standin::time::Timestamp;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::task::JoinSet;
use tokio_rustls::rustls::RootCertStore;

/// The task's tunables; tests shorten the waits.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Edits within this time of an event's first write make one post.
    pub window: Duration,
    /// The first retry's delay; each next one doubles, up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// No retry is scheduled later than this after the delivery was made.
    pub give_up_after: Duration,
    /// How often the outbox is asked for due deliveries.
    pub poll: Duration,
    /// How long a claimed delivery is this sender's: above the 10 s a post may take, and
    /// what a crashed sender's deliveries wait before they are sent again.
    pub lease: Duration,
    /// Deliveries sent at once.
    pub batch: u16,
    pub policy: Policy,
    /// The CAs https posts are verified against (Mozilla's, plus `--webhook-ca-file`).
    pub roots: Arc<RootCertStore>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window: Duration::from_secs(60),
            retry_base: Duration::from_secs(10),
            retry_cap: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            poll: Duration::from_secs(1),
            lease: send::TOTAL_TIMEOUT + Duration::from_secs(5),
            batch: 16,
            policy: Policy::default(),
            roots: super::roots::mozilla(),
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Runs until the process ends.
pub async fn run(store: Arc<dyn Storage>, settings: Settings) {
    loop {
        let claimed = store.outbox().claim(
            crate::now(),
            ms(settings.window),
            ms(settings.lease),
            i64::from(settings.batch),
        );
        match claimed.await {
            Ok(claimed) if !claimed.is_empty() => {
                let mut sending = JoinSet::new();
                for delivery in claimed {
                    sending.spawn(attempt(store.clone(), delivery, settings.clone()));
                }
                while sending.join_next().await.is_some() {}
            }
            Ok(_) => tokio::time::sleep(settings.poll).await,
            Err(error) => {
                tracing::warn!(%error, "cannot read the webhook outbox");
                tokio::time::sleep(settings.poll).await;
            }
        }
    }
}

async fn attempt(store: Arc<dyn Storage>, delivery: Claimed, settings: Settings) {
    let rendered = render(
        delivery.webhook.format,
        &delivery.event,
        &Delivery {
            id: &delivery.id,
            sent_at: crate::now(),
            secret: delivery.webhook.secret.as_deref(),
        },
    );
    let roots = settings.roots.clone();
    let result = send::post(&delivery.webhook.url, &rendered, settings.policy, roots).await;
    let now = crate::now();
    let outcome = judge(&result, &delivery, now, &settings, jitter());
    match &outcome {
        Outcome::Delivered => tracing::debug!(delivery = delivery.id, "webhook delivered"),
        Outcome::Retry { error, .. } => {
            tracing::info!(
                delivery = delivery.id,
                error,
                "webhook delivery will be retried"
            );
        }
        Outcome::Failed(error) => tracing::warn!(delivery = delivery.id, error, "webhook failed"),
    }
    if let Err(error) = store.outbox().finish(&delivery.id, &outcome, now).await {
        // The lease runs out and the delivery is sent again: at least once.
        tracing::warn!(%error, delivery = delivery.id, "cannot record a webhook attempt");
    }
}

/// A uniform number in [0, 1) for backoff jitter.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::getrandom(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

/// The `n`th retry's delay (n ≥ 1): doubling from the base up to the cap, then a random
/// point in its upper half, so endpoints that fail together are not retried together.
pub fn backoff(n: u32, settings: &Settings, jitter: f64) -> Duration {
    let full = settings
        .retry_base
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(settings.retry_cap);
    full.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
}

/// A Retry-After value: delay-seconds, or an HTTP date.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// How an attempt ended, and when the next one is (`jitter` in [0, 1)).
pub fn judge(
    result: &Result<Answer, SendError>,
    delivery: &Claimed,
    now: Timestamp,
    settings: &Settings,
    jitter: f64,
) -> Outcome {
    let attempt = delivery.attempts.saturating_add(1);
    let (error, wait) = match result {
        Ok(answer) if (200..300).contains(&answer.status) => return Outcome::Delivered,
        Ok(answer) => {
            let error = format!("HTTP {}: {}", answer.status, excerpt(&answer.body));
            if answer.status != 429 && answer.status < 500 {
                return Outcome::Failed(error);
            }
            let wall = SystemTime::UNIX_EPOCH
                + Duration::from_millis(u64::try_from(now.millis()).unwrap_or(0));
            let asked = answer
                .retry_after
                .as_deref()
                .and_then(|v| retry_after(v, wall));
            (
                error,
                asked.unwrap_or_else(|| backoff(attempt, settings, jitter)),
            )
        }
        Err(e @ SendError::Refused(_)) => return Outcome::Failed(e.to_string()),
        Err(e @ SendError::Network(_)) => (e.to_string(), backoff(attempt, settings, jitter)),
    };
    let at = Timestamp(now.millis().saturating_add(ms(wait)));
    let deadline = delivery
        .created_at
        .millis()
        .saturating_add(ms(settings.give_up_after));
    if at.millis() > deadline {
        let hours = settings.give_up_after.as_secs() / 3600;
        return Outcome::Failed(format!(
            "gave up after {attempt} attempts in {hours} h: {error}"
        ));
    }
    Outcome::Retry { at, error }
}

/// The start of an answer's body, on one line, for the delivery's record.
fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::{Event, EventKind, Format, Webhook};

    fn delivery(attempts: u32, created_at: i64) -> Claimed {
        Claimed {
            id: "d_1".into(),
            attempts,
            created_at: Timestamp(created_at),
            webhook: Webhook {
                id: "w_1".into(),
                team_id: "t_1".into(),
                url: "https://example.com/".into(),
                format: Format::Json,
                events: vec![EventKind::Offline],
                secret: None,
            },
            event: Event::sample(Timestamp(created_at)),
        }
    }

    fn answer(status: u16, retry_after: Option<&str>) -> Result<Answer, SendError> {
        Ok(Answer {
            status,
            retry_after: retry_after.map(str::to_owned),
            body: "  no\n such   hook ".into(),
        })
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_its_upper_half() {
        let s = Settings::default();
        assert_eq!(backoff(1, &s, 0.0), Duration::from_secs(5));
        assert_eq!(
            backoff(1, &s, 0.999_999),
            Duration::from_secs(10).mul_f64(0.999_999_5)
        );
        assert_eq!(backoff(3, &s, 0.0), Duration::from_secs(20));
        assert_eq!(backoff(30, &s, 0.0), Duration::from_secs(1800));
        assert_eq!(backoff(u32::MAX, &s, 1.0), Duration::from_secs(3600));
    }

    #[test]
    fn answers_are_judged_by_status() {
        let s = Settings::default();
        let now = Timestamp(1_000_000);
        let d = delivery(0, now.millis());
        assert_eq!(
            judge(&answer(204, None), &d, now, &s, 0.0),
            Outcome::Delivered
        );
        for gone in [400, 404, 410, 301] {
            let got = judge(&answer(gone, None), &d, now, &s, 0.0);
            assert_eq!(got, Outcome::Failed(format!("HTTP {gone}: no such hook")));
        }
        for retried in [500, 503, 429] {
            let got = judge(&answer(retried, None), &d, now, &s, 0.0);
            let at = Timestamp(now.millis() + 5000);
            assert!(
                matches!(got, Outcome::Retry { at: a, .. } if a == at),
                "{got:?}"
            );
        }
        let net = Err(SendError::Network("connection refused".into()));
        assert!(matches!(
            judge(&net, &d, now, &s, 0.0),
            Outcome::Retry { .. }
        ));
        let refused = Err(SendError::Refused("10.0.0.1 is a private address".into()));
        assert!(matches!(
            judge(&refused, &d, now, &s, 0.0),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn retry_after_is_honoured_in_seconds_or_as_a_date() {
        let s = Settings::default();
        let now = Timestamp(1_700_000_000_000);
        let d = delivery(0, now.millis());
        let got = judge(&answer(429, Some("120")), &d, now, &s, 0.0);
        assert!(matches!(got, Outcome::Retry { at, .. } if at.millis() == now.millis() + 120_000));
        let date = httpdate::fmt_http_date(
            SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_030_000),
        );
        let got = judge(&answer(503, Some(&date)), &d, now, &s, 0.0);
        assert!(matches!(got, Outcome::Retry { at, .. } if at.millis() == now.millis() + 30_000));
        assert_eq!(retry_after("soon", SystemTime::UNIX_EPOCH), None);
    }

    #[test]
    fn retries_stop_after_a_day() {
        let s = Settings::default();
        let day = ms(s.give_up_after);
        let created = 0;
        // The next retry would land past the day: give up, saying why.
        let now = Timestamp(day - 1000);
        let got = judge(&answer(500, None), &delivery(20, created), now, &s, 0.0);
        assert!(
            matches!(&got, Outcome::Failed(e) if e.starts_with("gave up after 21 attempts in 24 h: HTTP 500")),
            "{got:?}"
        );
        let early = Timestamp(day - 3_600_000);
        let got = judge(&answer(500, None), &delivery(20, created), early, &s, 0.0);
        assert!(matches!(got, Outcome::Retry { .. }));
    }

    #[test]
    fn long_answers_are_cut_for_the_record() {
        assert_eq!(excerpt(&"é".repeat(300)).chars().count(), 201);
        assert_eq!(excerpt("a\n b"), "a b");
    }
}
