//! Webhook delivery records are kept for `--webhook-retention` after they finish, then deleted
//! with their events; pending ones stay, however old. On SQLite and PostgreSQL through the
//! outbox, with timestamps set by the test; then the real binary on a real SQLite file.
#![allow(clippy::unwrap_used)]

mod common;

use common::process::{cli, start, BIN};
use common::{ts, TestDb};
use standin::time::Timestamp;
use standin_server::storage::{SqliteStore, Storage};
use standin_server::webhook::retention::{self, BATCH};
use standin_server::webhook::{Event, EventKind, Format, Outcome, Pruned, Webhook};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DAY: i64 = 86_400_000;
const RETENTION: Duration = Duration::from_secs(14 * 86_400);
/// The test's "now" where it sets the clock itself.
const NOW: i64 = 1_800_000_000_000;

/// A webhook, where the test makes deliveries at the times it says.
struct Hook<'s> {
    store: &'s dyn Storage,
    id: String,
}

impl Hook<'_> {
    /// A delivery made at `made` and, with `end`, attempted then and finished at its time as
    /// its outcome; its id.
    async fn delivery(&self, made: i64, end: Option<(i64, Outcome)>) -> String {
        let outbox = self.store.outbox();
        let event = Event::sample(ts(made));
        let id = outbox.queue_test(&self.id, &event).await.unwrap().unwrap();
        if let Some((at, outcome)) = end {
            let claimed = outbox.claim(ts(made), 0, 15_000, 1000).await.unwrap();
            assert!(claimed.iter().any(|c| c.id == id), "{id} was not claimed");
            outbox.finish(&id, &outcome, ts(at)).await.unwrap();
        }
        id
    }
}

/// A team with a webhook, made at `at`; the webhook and the team's id.
async fn hooked_team<'s>(store: &'s dyn Storage, name: &str, at: Timestamp) -> (Hook<'s>, String) {
    let team = store.create_team(name, at).await.unwrap();
    (add_hook(store, &team.id, at).await, team.id)
}

async fn add_hook<'s>(store: &'s dyn Storage, team_id: &str, at: Timestamp) -> Hook<'s> {
    let hook = Webhook {
        id: format!("w_{}", standin_server::token::random_hex(8)),
        team_id: team_id.to_owned(),
        url: "https://chat.example.com/hook".to_owned(),
        format: Format::Json,
        events: EventKind::ALL.to_vec(),
        secret: None,
    };
    store.outbox().add_webhook(&hook, at).await.unwrap();
    Hook { store, id: hook.id }
}

fn delivered(at: i64) -> Option<(i64, Outcome)> {
    Some((at, Outcome::Delivered))
}

fn failed(at: i64, why: &str) -> Option<(i64, Outcome)> {
    Some((at, Outcome::Failed(why.to_owned())))
}

/// Attempted at `at`, to be retried at `next`: still pending.
fn retry(at: i64, next: i64) -> Option<(i64, Outcome)> {
    let error = "HTTP 503".to_owned();
    Some((
        at,
        Outcome::Retry {
            at: ts(next),
            error,
        },
    ))
}

/// The team's deliveries as `webhook deliveries` lists them: id → status.
async fn listed(store: &dyn Storage, team_id: &str) -> Vec<(String, String)> {
    let mut rows: Vec<_> = store
        .outbox()
        .deliveries(team_id, false)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.status))
        .collect();
    rows.sort();
    rows
}

fn sorted(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut rows: Vec<_> = rows
        .iter()
        .map(|(id, status)| ((*id).to_owned(), (*status).to_owned()))
        .collect();
    rows.sort();
    rows
}

/// The listing once it is `want`, or as it is after 10 s.
async fn settled(
    store: &dyn Storage,
    team_id: &str,
    want: &[(String, String)],
) -> Vec<(String, String)> {
    let t = Instant::now();
    loop {
        let got = listed(store, team_id).await;
        if got == want || t.elapsed() > Duration::from_secs(10) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn events(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM webhook_events").await
}

async fn deliveries(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM webhook_deliveries").await
}

for_each_backend!(
    finished_deliveries_past_the_retention_go_and_pending_ones_stay,
    a_backlog_goes_in_batches,
    two_replicas_pruning_at_once_delete_each_row_once,
    the_server_task_prunes_at_start_and_then_periodically,
);

async fn finished_deliveries_past_the_retention_go_and_pending_ones_stay(db: TestDb) {
    let store = db.store.as_ref();
    let (hook, team) = hooked_team(store, "acme", ts(NOW - 90 * DAY)).await;
    let cutoff = NOW - 14 * DAY;
    // Finished longer than the retention ago: deleted.
    let old_delivered = hook
        .delivery(NOW - 30 * DAY, delivered(NOW - 30 * DAY))
        .await;
    let old_failed = hook
        .delivery(NOW - 21 * DAY, failed(NOW - 20 * DAY, "HTTP 410"))
        .await;
    let just_past = hook.delivery(cutoff - 1, delivered(cutoff - 1)).await;
    // Finished within it: kept, with their events (one made before the cutoff and retried
    // until after it).
    let at_cutoff = hook.delivery(cutoff, delivered(cutoff)).await;
    let retried = hook
        .delivery(NOW - 15 * DAY, delivered(NOW - 13 * DAY))
        .await;
    let recent_failed = hook
        .delivery(NOW - DAY, failed(NOW - DAY, "HTTP 404"))
        .await;
    // Pending, all with a next attempt time past the cutoff: kept.
    let retrying = hook
        .delivery(
            NOW - 40 * DAY,
            retry(NOW - 40 * DAY, NOW - 40 * DAY + 10_000),
        )
        .await;
    let again = hook
        .delivery(NOW - 50 * DAY, failed(NOW - 50 * DAY, "HTTP 500"))
        .await;
    assert!(store
        .outbox()
        .redeliver(&again, ts(NOW - 45 * DAY))
        .await
        .unwrap());
    let never_sent = hook.delivery(NOW - 60 * DAY, None).await;
    // A removed webhook leaves its events behind: the old one goes, the recent one stays.
    let removed = add_hook(store, &team, ts(NOW - 90 * DAY)).await;
    removed.delivery(NOW - 30 * DAY, None).await;
    removed.delivery(NOW - DAY, delivered(NOW - DAY)).await;
    assert!(store.outbox().remove_webhook(&removed.id).await.unwrap());
    assert_eq!((deliveries(&db).await, events(&db).await), (9, 11));

    let pruned = retention::prune(store.outbox(), ts(NOW), RETENTION, BATCH)
        .await
        .unwrap();
    assert_eq!(
        pruned,
        Pruned {
            deliveries: 3,
            events: 4
        }
    );
    let kept = sorted(&[
        (&at_cutoff, "delivered"),
        (&retried, "delivered"),
        (&recent_failed, "failed"),
        (&retrying, "pending"),
        (&again, "pending"),
        (&never_sent, "pending"),
    ]);
    assert_eq!(listed(store, &team).await, kept);
    for gone in [&old_delivered, &old_failed, &just_past] {
        assert!(!store.outbox().redeliver(gone, ts(NOW)).await.unwrap());
    }
    assert_eq!((deliveries(&db).await, events(&db).await), (6, 7));
    // Again: nothing more.
    let pruned = retention::prune(store.outbox(), ts(NOW), RETENTION, BATCH)
        .await
        .unwrap();
    assert_eq!(pruned, Pruned::default());
    // The pending ones still go out, each with its event.
    let claimed = store.outbox().claim(ts(NOW), 0, 15_000, 100).await.unwrap();
    let claimed: HashSet<String> = claimed.into_iter().map(|c| c.id).collect();
    assert_eq!(claimed, HashSet::from([retrying, again, never_sent]));
}

async fn a_backlog_goes_in_batches(db: TestDb) {
    let store = db.store.as_ref();
    let (hook, team) = hooked_team(store, "acme", ts(NOW - 90 * DAY)).await;
    let mut old = Vec::new();
    for i in 0..7 {
        let made = NOW - 30 * DAY + i * 60_000;
        old.push(hook.delivery(made, delivered(made)).await);
    }
    let recent = hook.delivery(NOW - DAY, delivered(NOW - DAY)).await;
    let pending = hook.delivery(NOW - 60 * DAY, None).await;
    let cutoff = ts(NOW - 14 * DAY);
    // Each run deletes at most a batch of each; successive runs take the rest.
    let mut runs = Vec::new();
    for _ in 0..4 {
        let p = store.outbox().prune(cutoff, 3).await.unwrap();
        runs.push((p.deliveries, p.events));
    }
    assert_eq!(runs, [(3, 3), (3, 3), (1, 1), (0, 0)]);
    let kept = sorted(&[(&recent, "delivered"), (&pending, "pending")]);
    assert_eq!(listed(store, &team).await, kept);

    // The server's pass runs batch after batch until one comes back short.
    for i in 0..7 {
        let made = NOW - 20 * DAY + i * 60_000;
        hook.delivery(made, failed(made, "HTTP 410")).await;
    }
    let pruned = retention::prune(store.outbox(), ts(NOW), RETENTION, 3)
        .await
        .unwrap();
    assert_eq!(
        pruned,
        Pruned {
            deliveries: 7,
            events: 7
        }
    );
    assert_eq!(listed(store, &team).await, kept);
    assert_eq!((deliveries(&db).await, events(&db).await), (2, 2));
}

/// Two replicas (two stores on one database) prune the same backlog at the same time: both
/// succeed, and between them they delete every row exactly once.
async fn two_replicas_pruning_at_once_delete_each_row_once(db: TestDb) {
    let other = db.another_replica().await;
    let (hook, team) = hooked_team(db.store.as_ref(), "acme", ts(NOW - 90 * DAY)).await;
    for i in 0..40 {
        let made = NOW - 30 * DAY + i * 60_000;
        hook.delivery(made, delivered(made)).await;
    }
    let pending = hook.delivery(NOW - 60 * DAY, None).await;
    let pass = |store: Arc<dyn Storage>| {
        tokio::spawn(async move {
            retention::prune(store.outbox(), ts(NOW), RETENTION, 4)
                .await
                .unwrap()
        })
    };
    let (a, b) = (pass(db.store.clone()), pass(other));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(
        (a.deliveries + b.deliveries, a.events + b.events),
        (40, 40),
        "{a:?} {b:?}"
    );
    assert_eq!(
        listed(db.store.as_ref(), &team).await,
        sorted(&[(&pending, "pending")])
    );
    assert_eq!(events(&db).await, 1);
}

/// `serve`'s task, on the real clock: it prunes at once, and again each period.
async fn the_server_task_prunes_at_start_and_then_periodically(db: TestDb) {
    let store = db.store.as_ref();
    let now = standin_server::now().millis();
    let (hook, team) = hooked_team(store, "acme", ts(now - 90 * DAY)).await;
    let old = hook
        .delivery(now - 30 * DAY, delivered(now - 30 * DAY))
        .await;
    let recent = hook.delivery(now - DAY, delivered(now - DAY)).await;
    let pending = hook.delivery(now - 60 * DAY, None).await;
    let task = tokio::spawn(retention::run(
        db.store.clone(),
        RETENTION,
        Duration::from_millis(300),
    ));
    let kept = sorted(&[(&recent, "delivered"), (&pending, "pending")]);
    assert_eq!(settled(store, &team, &kept).await, kept, "{old}");
    // A delivery that finished long ago appears (e.g. written by another replica's clock):
    // the next period deletes it.
    let later = hook
        .delivery(now - 20 * DAY, failed(now - 20 * DAY, "HTTP 410"))
        .await;
    assert!(listed(store, &team)
        .await
        .iter()
        .any(|(id, _)| *id == later));
    assert_eq!(settled(store, &team, &kept).await, kept);
    task.abort();
}

/// The real binary on a real SQLite file: `--webhook-retention off` keeps everything; with a
/// retention, `serve` deletes what finished before it at start, and `webhook deliveries`
/// lists the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prunes_at_start_and_the_cli_lists_what_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kept.db").display());
    let now = standin_server::now().millis();
    let (old, finished, pending) = {
        let hub = Arc::new(standin_server::hub::ChangeHub::new());
        let store = SqliteStore::open(&db, hub).await.unwrap();
        let (hook, _) = hooked_team(&store, "acme", ts(now - 90 * DAY)).await;
        let rows = [
            (now - 10 * DAY, delivered(now - 10 * DAY)),
            (now - DAY, failed(now - DAY, "HTTP 410")),
            // Retried tomorrow, so the running server leaves it alone.
            (now - 30 * DAY, retry(now - 30 * DAY, now + DAY)),
        ];
        let mut ids = Vec::new();
        for (made, end) in rows {
            ids.push(hook.delivery(made, end).await);
        }
        let [old, finished, pending] = <[String; 3]>::try_from(ids).unwrap();
        (old, finished, pending)
    };
    let list = || cli(&db, &["webhook", "deliveries", "--team", "acme"]);
    let ids = |listing: &str| -> Vec<String> {
        let mut ids: Vec<String> = listing
            .lines()
            .skip(1)
            .filter_map(|row| row.split_whitespace().nth(1).map(str::to_owned))
            .collect();
        ids.sort();
        ids
    };
    let mut all = vec![old.clone(), finished.clone(), pending.clone()];
    all.sort();
    let mut kept = vec![finished, pending.clone()];
    kept.sort();

    {
        let (_server, _) = start(&db, &[("STANDIN_WEBHOOK_RETENTION", "off")]).await;
        // Off starts no pruning at all; give a (wrongly) started one time to show.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(ids(&list()), all);
    }

    let (_server, _) = start(&db, &[("STANDIN_WEBHOOK_RETENTION", "7d")]).await;
    let t = Instant::now();
    let mut listing = list();
    while ids(&listing) != kept && t.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        listing = list();
    }
    assert_eq!(ids(&listing), kept, "{listing}");
    assert!(
        listing
            .lines()
            .any(|row| row.contains(&pending) && row.contains(" pending ")),
        "{listing}"
    );
}

/// A bad retention, as a flag or in the environment, stops `serve` with an error naming the
/// flag and saying what it takes.
#[test]
fn a_bad_retention_is_refused_naming_the_flag() {
    for (args, env) in [
        (vec!["--webhook-retention", "2w"], None),
        (vec!["--webhook-retention", "0d"], None),
        (vec![], Some("soon")),
    ] {
        let mut command = std::process::Command::new(BIN);
        command
            .arg("serve")
            .args(&args)
            .env("STANDIN_DATABASE_URL", "sqlite::memory:");
        if let Some(value) = env {
            command.env("STANDIN_WEBHOOK_RETENTION", value);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains("invalid value") && stderr.contains("'--webhook-retention"),
            "{stderr}"
        );
        assert!(stderr.contains("off to keep them forever"), "{stderr}");
    }
}
