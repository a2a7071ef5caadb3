//! What a hostile or departed client can no longer do: flood `POST /v1/join` (a rate limit
//! per client address; unknown codes never wait for the database's writer), or keep reading
//! through a long poll after its token was revoked or its member removed.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use common::{call, declaration, team_of, team_with_invites, Reopen, TestDb};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection, PgConnection, SqliteConnection};
use standin::model::Handles;
use standin_server::storage::{Invitee, JoinOutcome, Profile};
use standin_server::{app, now, token, AppState, Options};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tower::ServiceExt;

for_each_backend!(
    unknown_and_expired_invites_are_answered_while_the_writer_is_busy,
    revoked_token_ends_its_long_poll,
    removed_member_ends_its_long_poll,
);

/// A connection from outside the server holding the database's write lock (SQLite's single
/// writer; on PostgreSQL, the invites table against every change).
enum HeldWriter {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl HeldWriter {
    async fn hold(db: &TestDb) -> HeldWriter {
        match &db.reopen {
            Reopen::Sqlite(url) => {
                let mut conn = SqliteConnection::connect(url).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                HeldWriter::Sqlite(conn)
            }
            Reopen::Postgres(options) => {
                let mut conn = options.connect().await.unwrap();
                sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::query("LOCK TABLE invites IN EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                HeldWriter::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            HeldWriter::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            HeldWriter::Postgres(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

fn profile(name: &str) -> Profile {
    Profile {
        display_name: name.to_owned(),
        handles: Handles::default(),
        timezone: "Europe/Berlin".into(),
        working_hours: None,
    }
}

async fn unknown_and_expired_invites_are_answered_while_the_writer_is_busy(db: TestDb) {
    let (team_id, codes) = team_with_invites(db.store.as_ref(), "acme", 1).await;
    let expired = token::new_invite_code();
    db.store
        .create_invite(
            &team_id,
            &token::hash(&expired),
            Invitee::Member,
            standin::time::Timestamp(now().millis() - 1),
            now(),
        )
        .await
        .unwrap();
    let writer = HeldWriter::hold(&db).await;

    // The held lock really stops writers: a good code waits for it.
    let joining = {
        let (store, code) = (db.store.clone(), codes[0].clone());
        tokio::spawn(async move {
            store
                .redeem_invite(
                    &token::hash(&code),
                    &profile("Ann"),
                    &token::hash("stn_ann"),
                    now(),
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!joining.is_finished(), "the held lock did not stop a join");

    for (code, want) in [
        (
            "inv_00000000000000000000000000000000",
            JoinOutcome::UnknownInvite,
        ),
        (expired.as_str(), JoinOutcome::ExpiredInvite),
    ] {
        let (code, mal, token) = (token::hash(code), profile("Mal"), token::hash("stn_mal"));
        let redeem = db.store.redeem_invite(&code, &mal, &token, now());
        let outcome = tokio::time::timeout(Duration::from_secs(2), redeem)
            .await
            .unwrap_or_else(|_| panic!("{want:?} waited for the writer"))
            .unwrap();
        assert_eq!(outcome, want);
    }

    writer.release().await;
    let joined = joining.await.unwrap().unwrap();
    assert!(matches!(joined, JoinOutcome::Joined { .. }), "{joined:?}");
}

/// The documented token-trust window (`Options::token_cache`) and the long poll's re-check.
fn production_windows() -> Options {
    let defaults = Options::default();
    Options {
        token_cache: defaults.token_cache,
        poll_recheck: defaults.poll_recheck,
        ..common::test_options()
    }
}

type Poll = tokio::task::JoinHandle<(StatusCode, Value, Instant)>;

/// A long poll for `token` after `cursor`, once it is waiting; yields its status, body and
/// when it ended.
async fn long_poll(app: &Router, token: &str, cursor: u64) -> Poll {
    let (app, token) = (app.clone(), token.to_owned());
    let poll = tokio::spawn(async move {
        let path = format!("/v1/team/changes?after={cursor}&wait=10");
        let (status, body) = call(&app, "GET", &path, Some(&token), &[], None).await;
        (status, body, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    poll
}

/// The poll ended with 401 within the re-check window (and a second's slack) of `since`;
/// returns its body.
async fn ends_unauthorized(poll: Poll, since: Instant) -> Value {
    let (status, body, ended) = poll.await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "unauthorized");
    let took = ended - since;
    let bound = production_windows().poll_recheck + Duration::from_secs(1);
    assert!(took <= bound, "ended {took:?} after");
    body
}

async fn cursor(app: &Router, token: &str) -> u64 {
    let (_, body) = call(app, "GET", "/v1/team/changes", Some(token), &[], None).await;
    body["cursor"].as_u64().unwrap()
}

async fn revoke(db: &TestDb, token: &str) -> Instant {
    let revoked = db.store.revoke_token(&token::hash(token), now()).await;
    assert!(revoked.unwrap());
    Instant::now()
}

async fn revoked_token_ends_its_long_poll(db: TestDb) {
    let app = app(AppState::new(db.store.clone(), production_windows()));
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Cat"]).await;
    let at = cursor(&app, &m[0].token).await;

    // Revoked by another process (the CLI): nothing wakes the poll but its own re-check.
    let cat = long_poll(&app, &m[2].token, at).await;
    let revoked = revoke(&db, &m[2].token).await;
    ends_unauthorized(cat, revoked).await;

    // A teammate declares right after the revocation: the poll wakes, and must not carry it.
    let ann = long_poll(&app, &m[0].token, at).await;
    let revoked = revoke(&db, &m[0].token).await;
    let (status, _) = call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&m[1].token),
        &[("if-match", "0")],
        Some(declaration("declared after the revocation")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let body = ends_unauthorized(ann, revoked).await;
    assert!(!body.to_string().contains("after the revocation"), "{body}");
}

async fn removed_member_ends_its_long_poll(db: TestDb) {
    let app = app(AppState::new(db.store.clone(), production_windows()));
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let at = cursor(&app, &m[0].token).await;
    let ann = long_poll(&app, &m[0].token, at).await;
    let removed = db
        .store
        .remove_member(&m[0].team_id, &m[0].member_id, now())
        .await;
    assert!(removed.unwrap());
    ends_unauthorized(ann, Instant::now()).await;
}

// ---- The join rate limit per client address (SQLite only) ----

/// `POST /v1/join` as it arrives from `peer` (with `X-Forwarded-For: forwarded`, if any).
async fn join_from(
    app: &Router,
    peer: &str,
    forwarded: Option<&str>,
    code: &str,
) -> (StatusCode, HeaderMap, Value) {
    let peer: SocketAddr = peer.parse().unwrap();
    let body = json!({"invite": code, "display_name": "Ann", "timezone": "Europe/Berlin"});
    let mut req = Request::post("/v1/join")
        .header("content-type", "application/json")
        .extension(ConnectInfo(peer));
    if let Some(forwarded) = forwarded {
        req = req.header("x-forwarded-for", forwarded);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

const BAD_CODE: &str = "inv_ffffffffffffffffffffffffffffffff";

#[tokio::test]
async fn join_flood_from_one_address_gets_429_while_another_still_joins() {
    let db = common::sqlite_db().await;
    let options = Options {
        address_rate_per_second: 0.1,
        address_rate_burst: 3,
        ..common::test_options()
    };
    let app = app(AppState::new(db.store.clone(), options));
    let (_, codes) = team_with_invites(db.store.as_ref(), "acme", 1).await;
    for _ in 0..3 {
        let (status, _, _) = join_from(&app, "203.0.113.7:4000", None, BAD_CODE).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    for _ in 0..20 {
        let (status, headers, body) = join_from(&app, "203.0.113.7:4001", None, BAD_CODE).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"], "rate_limited");
        let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=11).contains(&retry), "Retry-After: {retry}");
    }
    let (status, _, body) = join_from(&app, "203.0.113.8:4000", None, &codes[0]).await;
    assert_eq!(status, StatusCode::CREATED, "another address joins: {body}");
}

#[tokio::test]
async fn forwarded_for_is_honoured_only_from_a_trusted_proxy() {
    let db = common::sqlite_db().await;
    let options = Options {
        address_rate_per_second: 0.1,
        address_rate_burst: 1,
        trusted_proxies: vec!["10.0.0.9".parse().unwrap()],
        ..common::test_options()
    };
    let app = app(AppState::new(db.store.clone(), options));
    let status = |r: (StatusCode, HeaderMap, Value)| r.0;

    // Behind the trusted proxy, each forwarded client has its own budget.
    let proxy = "10.0.0.9:5000";
    let first = join_from(&app, proxy, Some("198.51.100.1"), BAD_CODE).await;
    assert_eq!(status(first), StatusCode::NOT_FOUND);
    let again = join_from(&app, proxy, Some("198.51.100.1"), BAD_CODE).await;
    assert_eq!(status(again), StatusCode::TOO_MANY_REQUESTS);
    let other = join_from(&app, proxy, Some("198.51.100.2"), BAD_CODE).await;
    assert_eq!(status(other), StatusCode::NOT_FOUND);

    // Anyone else's header is ignored: a fresh address per request does not reset the budget.
    let direct = "10.0.0.5:5000";
    let first = join_from(&app, direct, Some("198.51.100.3"), BAD_CODE).await;
    assert_eq!(status(first), StatusCode::NOT_FOUND);
    let spoofed = join_from(&app, direct, Some("198.51.100.4"), BAD_CODE).await;
    assert_eq!(status(spoofed), StatusCode::TOO_MANY_REQUESTS);
}
