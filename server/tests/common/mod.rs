//! Shared test helpers: a fresh database per test (SQLite: a temporary file; PostgreSQL: a new
//! database on the cluster named by `DATABASE_URL_PG`), the app behind `oneshot`, and seeding;
//! `process` runs the real binary.
#![allow(dead_code, clippy::unwrap_used)]

pub mod process;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use standin::time::Timestamp;
use standin_server::hub::ChangeHub;
use standin_server::storage::{Invitee, PgStore, SqliteStore, Storage};
use standin_server::{app, token, AppState, Options};
use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

pub struct TestDb {
    pub store: Arc<dyn Storage>,
    /// How to open another store (another "replica") on the same database.
    pub reopen: Reopen,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Clone)]
pub enum Reopen {
    Sqlite(String),
    Postgres(Box<PgConnectOptions>),
}

impl TestDb {
    /// Runs SQL statements straight on the database, bypassing the store (e.g. to write rows
    /// as an older schema version left them).
    pub async fn raw(&self, statements: &[&str]) {
        match &self.reopen {
            Reopen::Sqlite(url) => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                for sql in statements {
                    sqlx::query(sql).execute(&mut conn).await.unwrap();
                }
            }
            Reopen::Postgres(options) => {
                let mut conn = options.connect().await.unwrap();
                for sql in statements {
                    sqlx::query(sql).execute(&mut conn).await.unwrap();
                }
            }
        }
    }

    /// One number a query returns (e.g. `SELECT COUNT(*) FROM …`), read straight from the
    /// database.
    pub async fn count(&self, sql: &str) -> i64 {
        match &self.reopen {
            Reopen::Sqlite(url) => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Reopen::Postgres(options) => {
                let mut conn = options.connect().await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }

    /// The database's URL, for the real binary (`STANDIN_DATABASE_URL`).
    pub fn url(&self) -> String {
        match &self.reopen {
            Reopen::Sqlite(url) => url.clone(),
            Reopen::Postgres(options) => options.to_url_lossy().to_string(),
        }
    }

    pub async fn another_replica(&self) -> Arc<dyn Storage> {
        let hub = Arc::new(ChangeHub::new());
        match &self.reopen {
            Reopen::Sqlite(url) => Arc::new(SqliteStore::open(url, hub).await.unwrap()),
            Reopen::Postgres(options) => {
                Arc::new(PgStore::open_with((**options).clone(), hub).await.unwrap())
            }
        }
    }
}

pub async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = SqliteStore::open(&url, Arc::new(ChangeHub::new()))
        .await
        .unwrap();
    TestDb {
        store: Arc::new(store),
        reopen: Reopen::Sqlite(url),
        _dir: Some(dir),
    }
}

/// The cluster for PostgreSQL tests: `DATABASE_URL_PG` (set by ./test.sh), or
/// `STANDIN_TEST_PG_URL`.
pub fn pg_url() -> Option<String> {
    ["DATABASE_URL_PG", "STANDIN_TEST_PG_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// A fresh database on the test cluster, or `None` (with a visible SKIPPED line) when no
/// cluster is configured. Under CI a missing cluster is a failure, not a skip.
pub async fn pg_db(test: &str) -> Option<TestDb> {
    let Some(url) = pg_url() else {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
            panic!("CI is set but DATABASE_URL_PG is not: the PostgreSQL tests cannot be skipped");
        }
        // Written past the test harness's capture so the skip is seen even when tests pass.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (PostgreSQL) {test}: set DATABASE_URL_PG=postgres://… to run it"
        );
        return None;
    };
    let admin = PgConnectOptions::from_str(&url).unwrap();
    let name = format!("standin_test_{}", token::random_hex(6));
    let mut conn = admin.connect().await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let options = admin.database(&name);
    let store = PgStore::open_with(options.clone(), Arc::new(ChangeHub::new()))
        .await
        .unwrap();
    Some(TestDb {
        store: Arc::new(store),
        reopen: Reopen::Postgres(Box::new(options)),
        _dir: None,
    })
}

/// Instantiates each listed `async fn(TestDb)` once per backend: `sqlite::NAME` and
/// `postgres::NAME`.
#[macro_export]
macro_rules! for_each_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::sqlite_db().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::common::pg_db(stringify!($name)).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

pub fn ts(ms: i64) -> Timestamp {
    Timestamp(ms)
}

/// Options for tests: no rate limit unless a test wants one, quick re-checks.
pub fn test_options() -> Options {
    Options {
        rate_per_second: 0.0,
        address_rate_per_second: 0.0,
        token_cache: Duration::ZERO,
        poll_recheck: Duration::from_millis(500),
        ..Options::default()
    }
}

pub fn test_app(store: Arc<dyn Storage>) -> Router {
    init_logging();
    app(AppState::new(store, test_options()))
}

/// Server logs in test output when `STANDIN_TEST_LOG` is set (e.g. `warn`).
pub fn init_logging() {
    use tracing_subscriber::prelude::*;
    if let Ok(filter) = std::env::var("STANDIN_TEST_LOG") {
        let targets: tracing_subscriber::filter::Targets = filter.parse().unwrap_or_default();
        let _ = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_test_writer()
                    .with_filter(targets),
            )
            .try_init();
    }
}

/// A team with an invite code per member to be.
pub async fn team_with_invites(store: &dyn Storage, name: &str, n: usize) -> (String, Vec<String>) {
    let team = store
        .create_team(name, standin_server::now())
        .await
        .unwrap();
    let mut codes = Vec::new();
    for _ in 0..n {
        codes.push(invite(store, &team.id, Invitee::Member).await);
    }
    (team.id, codes)
}

/// A fresh invite code into `team_id` for `invitee`, valid for an hour.
pub async fn invite(store: &dyn Storage, team_id: &str, invitee: Invitee) -> String {
    let code = token::new_invite_code();
    let expires = Timestamp(standin_server::now().millis() + 3_600_000);
    store
        .create_invite(
            team_id,
            &token::hash(&code),
            invitee,
            expires,
            standin_server::now(),
        )
        .await
        .unwrap();
    code
}

pub struct Joined {
    pub token: String,
    pub member_id: String,
    pub team_id: String,
}

/// Creates a team and joins `names` to it through the API.
pub async fn team_of(app: &Router, store: &dyn Storage, team: &str, names: &[&str]) -> Vec<Joined> {
    let (_, codes) = team_with_invites(store, team, names.len()).await;
    let mut joined = Vec::new();
    for (code, name) in codes.iter().zip(names) {
        let body = serde_json::json!({
            "invite": code,
            "display_name": name,
            "handles": {"github": name.to_lowercase()},
            "timezone": "Europe/Berlin",
        });
        let (status, json) = call(app, "POST", "/v1/join", None, &[], Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        joined.push(Joined {
            token: json["token"].as_str().unwrap().to_owned(),
            member_id: json["member"]["id"].as_str().unwrap().to_owned(),
            team_id: json["team"]["id"].as_str().unwrap().to_owned(),
        });
    }
    joined
}

/// A valid declaration body.
pub fn declaration(headline: &str) -> Value {
    serde_json::json!({
        "status": "online",
        "headline": headline,
        "timezone": "Europe/Berlin",
    })
}

/// Sends one request through the app; returns status and body as JSON (Null when empty).
pub async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, _, bytes) = call_raw(
        app,
        method,
        path,
        token,
        headers,
        body.map(|b| (b.to_string().into_bytes(), "application/json")),
    )
    .await;
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    (status, json)
}

/// Like [`call`] with a raw body and content type; returns headers and bytes too.
pub async fn call_raw(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(Vec<u8>, &str)>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some((bytes, content_type)) => {
            if !content_type.is_empty() {
                req = req.header(header::CONTENT_TYPE, content_type);
            }
            req.body(Body::from(bytes)).unwrap()
        }
        None => req.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}
