//! Several replicas on one PostgreSQL database: a change written through replica A wakes a
//! long poll waiting on replica B (LISTEN/NOTIFY) and B's cached team states move with it.
//! Needs `DATABASE_URL_PG`; prints SKIPPED without it.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{call, call_raw, declaration, team_of};
use standin_server::{app, AppState, Options};
use std::time::{Duration, Instant};

/// Replica options with the safety re-check pushed far out, so only NOTIFY can wake a poll.
fn notify_only() -> Options {
    Options {
        rate_per_second: 0.0,
        poll_recheck: Duration::from_secs(60),
        cache_revalidate: Duration::from_secs(60),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_replica_a_wakes_a_long_poll_on_replica_b() {
    let Some(db) = common::pg_db("a_write_on_replica_a_wakes_a_long_poll_on_replica_b").await
    else {
        return;
    };
    let a = app(AppState::new(db.store.clone(), notify_only()));
    let b = app(AppState::new(db.another_replica().await, notify_only()));
    let m = team_of(&a, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;

    // B caches the team's states before the write.
    let (status, h, _) = call_raw(&b, "GET", "/v1/team/states", Some(&m[1].token), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let old_etag = h["etag"].to_str().unwrap().to_owned();
    let (_, first) = call(&b, "GET", "/v1/team/changes", Some(&m[1].token), &[], None).await;
    let cursor = first["cursor"].as_u64().unwrap();

    let waiting = {
        let (b, tok) = (b.clone(), m[1].token.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            let path = format!("/v1/team/changes?after={cursor}&wait=20");
            let got = call(&b, "GET", &path, Some(&tok), &[], None).await;
            (got, t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, _) = call(
        &a,
        "PUT",
        "/v1/me/state",
        Some(&m[0].token),
        &[("if-match", "0")],
        Some(declaration("via A")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let ((status, changes), took) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    println!("replica B's long poll woke {took:?} after it started (write sent at ~500 ms)");
    assert!(took < Duration::from_secs(3), "B woke after {took:?}");
    assert_eq!(
        changes["states"][0]["state"]["declaration"]["headline"],
        "via A"
    );

    // B's cache noticed too: the old ETag no longer matches and the body has A's write.
    let (status, h, bytes) = call_raw(
        &b,
        "GET",
        "/v1/team/states",
        Some(&m[1].token),
        &[("if-none-match", &old_etag)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(h["etag"].to_str().unwrap(), old_etag);
    assert!(String::from_utf8_lossy(&bytes).contains("via A"));

    // And the other way round: a write on B reaches a poll on A.
    let cursor = changes["cursor"].as_u64().unwrap();
    let waiting = {
        let (a, tok) = (a.clone(), m[0].token.clone());
        tokio::spawn(async move {
            let path = format!("/v1/team/changes?after={cursor}&wait=20");
            call(&a, "GET", &path, Some(&tok), &[], None).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    call(
        &b,
        "PUT",
        "/v1/me/state",
        Some(&m[1].token),
        &[("if-match", "0")],
        Some(declaration("via B")),
    )
    .await;
    let (_, changes) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        changes["states"][0]["state"]["declaration"]["headline"],
        "via B"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_never_overwrite_each_others_writes() {
    let Some(db) = common::pg_db("replicas_never_overwrite_each_others_writes").await else {
        return;
    };
    let a = app(AppState::new(db.store.clone(), notify_only()));
    let b = app(AppState::new(db.another_replica().await, notify_only()));
    let m = team_of(&a, db.store.as_ref(), "acme", &["Ann"]).await;
    // The same member declares from two browsers through two replicas, both from version 0.
    let (tok_a, tok_b) = (m[0].token.clone(), m[0].token.clone());
    let (ra, rb) = tokio::join!(
        call(
            &a,
            "PUT",
            "/v1/me/state",
            Some(&tok_a),
            &[("if-match", "0")],
            Some(declaration("from A"))
        ),
        call(
            &b,
            "PUT",
            "/v1/me/state",
            Some(&tok_b),
            &[("if-match", "0")],
            Some(declaration("from B"))
        ),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
}
