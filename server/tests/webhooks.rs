//! Webhook delivery end to end, on SQLite and PostgreSQL, against local receivers (real HTTP,
//! or https with a throwaway CA, on 127.0.0.1) that check every request as the `json` format
//! documents it: POST, JSON content type, a delivery id, a timestamp, and a valid
//! `X-StandIn-Signature-256`.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::process::{cli, http, start, BIN};
use common::{call, team_of, test_app, Joined, TestDb};
use http_body_util::BodyExt;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use standin_server::webhook::deliver::{self, Settings};
use standin_server::webhook::format::signature;
use standin_server::webhook::send::Policy;
use standin_server::webhook::{DeliveryInfo, Event, EventKind, Format, Webhook};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

const SECRET: &str = "receiver-secret-4321";

/// One request the receiver accepted as well-formed.
#[derive(Clone, Debug)]
struct Received {
    delivery: String,
    /// What the receiver answered (2xx: accepted, whether or not the answer arrived).
    status: u16,
    event: Event,
    at: Instant,
}

/// How the receiver answers: the scripted (status, Retry-After) answers first, then 204.
#[derive(Default)]
struct Script {
    answers: Vec<(u16, Option<&'static str>)>,
    /// Held before answering 2xx, to have posts in flight.
    delay: Duration,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    /// Requests that broke the contract (the test fails on any).
    bad: Arc<Mutex<Vec<String>>>,
    script: Arc<Mutex<Script>>,
    /// https only: each TLS handshake, as the server name the client sent or why it failed.
    handshakes: Arc<Mutex<Vec<Result<String, String>>>>,
}

impl Receiver {
    /// Plain http on `http://127.0.0.1:PORT/hook`.
    async fn start(script: Script) -> Receiver {
        Receiver::listen(script, None).await
    }

    /// https on `https://localhost:PORT/hook`, with the certificate `tls` serves.
    async fn start_tls(script: Script, tls: TlsAcceptor) -> Receiver {
        Receiver::listen(script, Some(tls)).await
    }

    async fn listen(script: Script, tls: Option<TlsAcceptor>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = match tls {
            None => format!("http://127.0.0.1:{port}/hook"),
            Some(_) => format!("https://localhost:{port}/hook"),
        };
        let receiver = Receiver {
            url,
            got: Arc::default(),
            bad: Arc::default(),
            script: Arc::new(Mutex::new(script)),
            handshakes: Arc::default(),
        };
        let r = receiver.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (r, tls) = (r.clone(), tls.clone());
                tokio::spawn(async move {
                    let Some(tls) = tls else {
                        return r.serve(stream).await;
                    };
                    match tls.accept(stream).await {
                        Ok(stream) => {
                            let name = stream.get_ref().1.server_name().unwrap_or("").to_owned();
                            r.handshakes.lock().unwrap().push(Ok(name));
                            r.serve(stream).await;
                        }
                        Err(e) => r.handshakes.lock().unwrap().push(Err(e.to_string())),
                    }
                });
            }
        });
        receiver
    }

    async fn serve(self, io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static) {
        let service = service_fn(move |req| self.clone().answer(req));
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(io), service)
            .await;
    }

    async fn answer(
        self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, hyper::Error> {
        let (parts, body) = req.into_parts();
        let body = body.collect().await?.to_bytes();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let checked = (|| {
            if parts.method != hyper::Method::POST || parts.uri.path() != "/hook" {
                return Err(format!("{} {}", parts.method, parts.uri));
            }
            if header("content-type").as_deref() != Some("application/json") {
                return Err("content type".to_owned());
            }
            let delivery = header("x-standin-delivery").ok_or("no delivery id")?;
            header("x-standin-timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or("no timestamp")?;
            if header("x-standin-signature-256") != Some(signature(SECRET, &body)) {
                return Err("bad signature".to_owned());
            }
            let event: Event = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            if header("x-standin-event").as_deref() != Some(event.kind.as_str()) {
                return Err("event header".to_owned());
            }
            Ok(Received {
                delivery,
                status: 0,
                event,
                at: Instant::now(),
            })
        })();
        let (status, retry_after, delay) = {
            let mut script = self.script.lock().unwrap();
            let (status, retry_after) = if script.answers.is_empty() {
                (204, None)
            } else {
                script.answers.remove(0)
            };
            (status, retry_after, script.delay)
        };
        match checked {
            Ok(received) => self
                .got
                .lock()
                .unwrap()
                .push(Received { status, ..received }),
            Err(why) => self.bad.lock().unwrap().push(why),
        }
        if status < 300 {
            tokio::time::sleep(delay).await;
        }
        let mut response = hyper::Response::builder().status(status);
        if let Some(after) = retry_after {
            response = response.header("retry-after", after);
        }
        Ok(response
            .body(http_body_util::Full::new(bytes::Bytes::from_static(
                b"gone",
            )))
            .unwrap())
    }

    fn handshakes(&self) -> Vec<Result<String, String>> {
        self.handshakes.lock().unwrap().clone()
    }

    fn got(&self) -> Vec<Received> {
        assert_eq!(*self.bad.lock().unwrap(), Vec::<String>::new());
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (or 20 s passed); returns them.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let t = Instant::now();
        while self.got().len() < n && t.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.got()
    }
}

/// A throwaway certificate authority (its certificate as PEM) and an acceptor serving a
/// certificate it signed for localhost and 127.0.0.1: an endpoint behind a team's own CA.
/// (ring, as the server's client uses: hence `deprecated`, see webhook/send.rs.)
#[allow(deprecated)]
fn throwaway_ca() -> (String, TlsAcceptor) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "StandIn test team CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let mut leaf = CertificateParams::new(names).unwrap();
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf_cert.der().clone()],
            PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    (ca_pem, TlsAcceptor::from(Arc::new(config)))
}

/// Quick settings for in-process tests: loopback http allowed.
fn quick(window_ms: u64, retry_base_ms: u64) -> Settings {
    Settings {
        window: Duration::from_millis(window_ms),
        retry_base: Duration::from_millis(retry_base_ms),
        poll: Duration::from_millis(20),
        policy: Policy {
            insecure_loopback: true,
            private: false,
        },
        ..Settings::default()
    }
}

/// A team, a receiver with a webhook for every event, and a delivery task (stopped on drop).
struct Scene {
    app: axum::Router,
    m: Vec<Joined>,
    receiver: Receiver,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Scene {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn scene(db: &TestDb, names: &[&str], script: Script, settings: Settings) -> Scene {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", names).await;
    let receiver = Receiver::start(script).await;
    hook(db, &m[0].team_id, &receiver.url, &EventKind::ALL).await;
    let task = tokio::spawn(deliver::run(db.store.clone(), settings));
    Scene {
        app,
        m,
        receiver,
        task,
    }
}

async fn hook(db: &TestDb, team_id: &str, url: &str, events: &[EventKind]) -> Webhook {
    let hook = Webhook {
        id: format!("w_{}", standin_server::token::random_hex(8)),
        team_id: team_id.to_owned(),
        url: url.to_owned(),
        format: Format::Json,
        events: events.to_vec(),
        secret: Some(SECRET.to_owned()),
    };
    db.store
        .outbox()
        .add_webhook(&hook, standin_server::now())
        .await
        .unwrap();
    hook
}

/// A team's deliveries as `webhook deliveries` lists them.
async fn deliveries(db: &TestDb, team_id: &str, failed: bool) -> Vec<DeliveryInfo> {
    db.store.outbox().deliveries(team_id, failed).await.unwrap()
}

/// Writes a declaration through the API on top of `version`; returns the new version.
async fn put(app: &axum::Router, token: &str, version: u64, body: Value) -> u64 {
    let v = version.to_string();
    let (status, state) = call(
        app,
        "PUT",
        "/v1/me/state",
        Some(token),
        &[("if-match", &v)],
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    state["version"].as_u64().unwrap()
}

fn away(status: &str, headline: &str) -> Value {
    json!({"status": status, "headline": headline, "timezone": "Europe/Berlin"})
}

for_each_backend!(
    each_event_reaches_the_receiver,
    edits_within_the_window_coalesce,
    retries_follow_the_schedule_until_delivered,
    retry_after_is_honoured,
    a_410_stops_the_retries_and_says_why,
    loopback_is_refused_without_the_flag,
    a_dead_endpoint_never_slows_a_write,
    kill_9_with_deliveries_pending_loses_none,
    https_to_an_endpoint_behind_a_team_ca_needs_its_ca_file,
);

async fn each_event_reaches_the_receiver(db: TestDb) {
    let s = scene(&db, &["Ann", "Bob"], Script::default(), quick(100, 100)).await;
    // A webhook for offline only sees offline.
    let narrow = Receiver::start(Script::default()).await;
    hook(&db, &s.m[0].team_id, &narrow.url, &[EventKind::Offline]).await;

    let mut offline = away("offline", "Done for today");
    offline["items"] = json!([{
        "url": "https://github.com/acme/api/pull/7", "title": "Export", "state": "needs_review",
        "note": "one more review", "handoff_to": "bob"
    }]);
    let v = put(&s.app, &s.m[0].token, 0, offline).await;
    let got = s.receiver.wait_for(2).await;
    let kinds: HashSet<_> = got.iter().map(|r| r.event.kind).collect();
    assert_eq!(
        kinds,
        HashSet::from([EventKind::Offline, EventKind::Handoff])
    );
    let handoff = got
        .iter()
        .find(|r| r.event.kind == EventKind::Handoff)
        .unwrap();
    let to = handoff.event.items[0].handoff.as_ref().unwrap();
    assert_eq!(
        (to.name.as_str(), to.handle.as_deref()),
        ("Bob", Some("bob"))
    );
    assert_eq!(handoff.event.member.display_name, "Ann");

    let v = put(&s.app, &s.m[0].token, v, away("online", "Back")).await;
    put(&s.app, &s.m[0].token, v, away("ooo", "Holiday")).await;
    let got = s.receiver.wait_for(4).await;
    let kinds: Vec<_> = got[2..].iter().map(|r| r.event.kind).collect();
    assert!(kinds.contains(&EventKind::Back) && kinds.contains(&EventKind::OutOfOffice));
    // Every delivery its own id; each sent once here (nothing failed).
    let ids: HashSet<_> = got.iter().map(|r| r.delivery.clone()).collect();
    assert_eq!(ids.len(), 4);
    let narrow = narrow.wait_for(1).await;
    assert_eq!(narrow.len(), 1);
    assert_eq!(narrow[0].event.kind, EventKind::Offline);
}

async fn edits_within_the_window_coalesce(db: TestDb) {
    let s = scene(&db, &["Ann"], Script::default(), quick(1500, 100)).await;

    let v = put(&s.app, &s.m[0].token, 0, away("offline", "Gone fro today")).await;
    let v = put(&s.app, &s.m[0].token, v, away("offline", "Gone for today")).await;
    let got = s.receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event.headline, "Gone for today");
    // Once posted, a further edit posts nothing on its own.
    let v = put(&s.app, &s.m[0].token, v, away("offline", "Gone for today.")).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(s.receiver.got().len(), 1);
    // Coming back is news.
    put(&s.app, &s.m[0].token, v, away("online", "Here")).await;
    let got = s.receiver.wait_for(2).await;
    assert_eq!(got[1].event.kind, EventKind::Back);
}

async fn retries_follow_the_schedule_until_delivered(db: TestDb) {
    let script = Script {
        answers: vec![(503, None), (500, None), (502, None)],
        ..Script::default()
    };
    let base = 200;
    let s = scene(&db, &["Ann"], script, quick(0, base)).await;
    put(&s.app, &s.m[0].token, 0, away("offline", "Off")).await;
    let got = s.receiver.wait_for(4).await;
    assert_eq!(got.len(), 4);
    // One delivery, tried four times, each wait at least the lower half of its doubling.
    assert!(got.iter().all(|r| r.delivery == got[0].delivery));
    for (n, pair) in got.windows(2).enumerate() {
        let least = Duration::from_millis(base * 2u64.pow(n as u32) / 2);
        let waited = pair[1].at - pair[0].at;
        assert!(
            waited >= least,
            "retry {n}: waited {waited:?}, expected ≥ {least:?}"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let listed = deliveries(&db, &s.m[0].team_id, false).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].status.as_str(), listed[0].attempts),
        ("delivered", 4)
    );
}

async fn retry_after_is_honoured(db: TestDb) {
    let script = Script {
        answers: vec![(429, Some("2"))],
        ..Script::default()
    };
    // Backoff alone would retry within 50 ms.
    let s = scene(&db, &["Ann"], script, quick(0, 50)).await;
    put(&s.app, &s.m[0].token, 0, away("offline", "Off")).await;
    let got = s.receiver.wait_for(2).await;
    assert_eq!(got.len(), 2);
    let waited = got[1].at - got[0].at;
    assert!(
        waited >= Duration::from_millis(1900),
        "retried after {waited:?}"
    );
}

async fn a_410_stops_the_retries_and_says_why(db: TestDb) {
    let script = Script {
        answers: vec![(410, None), (410, None)],
        ..Script::default()
    };
    let s = scene(&db, &["Ann"], script, quick(0, 50)).await;
    put(&s.app, &s.m[0].token, 0, away("offline", "Off")).await;
    s.receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.receiver.got().len(), 1);
    let failed = deliveries(&db, &s.m[0].team_id, true).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("HTTP 410: gone"));
    // Redelivery sends it again under the same id.
    assert!(db
        .store
        .outbox()
        .redeliver(&failed[0].id, standin_server::now())
        .await
        .unwrap());
    let got = s.receiver.wait_for(2).await;
    assert_eq!(got[1].delivery, failed[0].id);
}

async fn loopback_is_refused_without_the_flag(db: TestDb) {
    let settings = Settings {
        policy: Policy::default(),
        ..quick(0, 50)
    };
    let s = scene(&db, &["Ann"], Script::default(), settings).await;
    put(&s.app, &s.m[0].token, 0, away("offline", "Off")).await;
    let t = Instant::now();
    let failed = loop {
        let failed = deliveries(&db, &s.m[0].team_id, true).await;
        if !failed.is_empty() || t.elapsed() > Duration::from_secs(10) {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("refused: 127.0.0.1 is a loopback address")
    );
    assert!(s.receiver.got().is_empty());
}

async fn a_dead_endpoint_never_slows_a_write(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Cy", "Di"]).await;
    // Accepts and never answers: every post waits out its 10 s.
    let hole = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", hole.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            open.push(hole.accept().await.unwrap());
        }
    });
    hook(&db, &m[0].team_id, &url, &EventKind::ALL).await;
    let task = tokio::spawn(deliver::run(db.store.clone(), quick(0, 50)));
    let mut versions = [0u64; 4];
    let mut slowest = Duration::ZERO;
    for round in 0..6 {
        for (i, member) in m.iter().enumerate() {
            let status = if round % 2 == 0 { "offline" } else { "online" };
            let t = Instant::now();
            versions[i] = put(&app, &member.token, versions[i], away(status, "x")).await;
            slowest = slowest.max(t.elapsed());
        }
    }
    let hanging = deliveries(&db, &m[0].team_id, false).await;
    assert!(hanging.iter().any(|d| d.status == "pending"));
    assert!(slowest < Duration::from_secs(1), "a write took {slowest:?}");
    task.abort();
}

/// Two replicas on one PostgreSQL database, each with its own delivery task: every event is
/// delivered, none by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_never_send_an_event_twice() {
    let Some(db) = common::pg_db("two_replicas_never_send_an_event_twice").await else {
        return;
    };
    let other = db.another_replica().await;
    let app = test_app(db.store.clone());
    let names: Vec<String> = (0..12).map(|i| format!("Member{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let m = team_of(&app, db.store.as_ref(), "acme", &names).await;
    let script = Script {
        delay: Duration::from_millis(50),
        ..Script::default()
    };
    let receiver = Receiver::start(script).await;
    hook(&db, &m[0].team_id, &receiver.url, &EventKind::ALL).await;
    let tasks = [
        tokio::spawn(deliver::run(db.store.clone(), quick(0, 50))),
        tokio::spawn(deliver::run(other, quick(0, 50))),
    ];
    for member in &m {
        let v = put(&app, &member.token, 0, away("offline", "x")).await;
        put(&app, &member.token, v, away("online", "y")).await;
    }
    let got = receiver.wait_for(24).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_all = receiver.got();
    let unique: HashSet<_> = got.iter().map(|r| r.delivery.clone()).collect();
    assert_eq!((unique.len(), got_all.len()), (24, 24), "every event once");
    for task in tasks {
        task.abort();
    }
}

/// Invite codes into `team`, made with the CLI.
fn invites(db: &str, team: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| cli(db, &["invite", "--team", team]).trim().to_owned())
        .collect()
}

/// Joins one member per code through the running server at `addr`; their tokens.
async fn join_all(addr: &str, codes: &[String]) -> Vec<String> {
    let mut tokens = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let body = json!({"invite": code, "display_name": format!("w{i}"), "timezone": "UTC"});
        let (status, joined) = http(addr, "POST", "/v1/join", None, None, Some(&body))
            .await
            .unwrap();
        assert_eq!(status, 201, "{joined}");
        tokens.push(joined["token"].as_str().unwrap().to_owned());
    }
    tokens
}

/// Declares `status` through the running server on top of `version`; the member's id.
async fn declare(addr: &str, token: &str, version: u64, status: &str) -> String {
    let body = away(status, "x");
    let put = http(
        addr,
        "PUT",
        "/v1/me/state",
        Some(token),
        Some(version),
        Some(&body),
    );
    let (code, state) = put.await.unwrap();
    assert_eq!(code, 200, "{state}");
    state["member_id"].as_str().unwrap().to_owned()
}

/// `serve`'s environment for the local receivers: `allow` (the flag that lets it post there)
/// on, and a 1 s window and retry base.
fn quick_serve(allow: &'static str) -> [(&'static str, &'static str); 3] {
    [
        (allow, "true"),
        ("STANDIN_WEBHOOK_WINDOW", "1s"),
        ("STANDIN_WEBHOOK_RETRY_BASE", "1s"),
    ]
}

/// `webhook add` of a signed `json` webhook to `url` for `events`.
fn add_json_hook(db: &str, team: &str, url: &str, events: &str) -> String {
    let args = [
        "webhook", "add", "--team", team, "--url", url, "--kind", "json", "--events", events,
        "--secret", SECRET,
    ];
    let added = cli(db, &args);
    assert!(!added.contains(SECRET), "{added}");
    added
}

/// A `webhook deliveries` listing's rows (its header left out).
fn rows(listed: &str) -> Vec<&str> {
    listed.lines().skip(1).collect()
}

/// `webhook deliveries --team team`, polled until `done` holds for its rows or `limit` passes.
async fn listing_until(
    db: &str,
    team: &str,
    limit: Duration,
    done: impl Fn(&[&str]) -> bool,
) -> String {
    let t = Instant::now();
    loop {
        let listed = cli(db, &["webhook", "deliveries", "--team", team]);
        if done(&rows(&listed)) || t.elapsed() > limit {
            return listed;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// kill -9 of the server while deliveries are pending and in flight: after the restart every
/// event is delivered at least once. Prints the sent, lost and duplicate counts.
async fn kill_9_with_deliveries_pending_loses_none(db: TestDb) {
    let db = db.url();
    cli(&db, &["team", "create", "crash"]);
    let codes = invites(&db, "crash", 10);
    // The first five posts fail (their retries are pending when the server dies); the rest
    // are answered slowly, so they are in flight.
    let script = Script {
        answers: vec![(503, None); 5],
        delay: Duration::from_secs(3),
    };
    let receiver = Receiver::start(script).await;
    add_json_hook(&db, "crash", &receiver.url, "offline,back");
    let flags = quick_serve("STANDIN_ALLOW_INSECURE_WEBHOOKS");
    let (mut server, addr) = start(&db, &flags).await;
    let tokens = join_all(&addr, &codes).await;
    // Every member goes offline, then half come back: 15 events, each answered 2xx.
    let mut expected = HashSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let writes = [
            (0, "offline", EventKind::Offline),
            (1, "online", EventKind::Back),
        ];
        for (version, status, kind) in writes.into_iter().take(if i % 2 == 0 { 2 } else { 1 }) {
            expected.insert((declare(&addr, token, version, status).await, kind));
        }
    }
    // Kill while posts are out and unanswered.
    receiver.wait_for(expected.len()).await;
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    let before_restart = receiver.got().len();

    let (_server, _) = start(&db, &flags).await;
    receiver.script.lock().unwrap().delay = Duration::ZERO;
    // In-flight posts wait out their lease (15 s) before they go again.
    let all_delivered = |rows: &[&str]| rows.iter().all(|r| r.contains(" delivered "));
    let listed = listing_until(&db, "crash", Duration::from_secs(45), all_delivered).await;
    let got = receiver.got();
    let accepted: Vec<&Received> = got.iter().filter(|r| r.status < 300).collect();
    let unique: HashSet<_> = accepted.iter().map(|r| r.delivery.clone()).collect();
    let seen: HashSet<_> = accepted
        .iter()
        .map(|r| (r.event.member.id.clone(), r.event.kind))
        .collect();
    let lost = expected.difference(&seen).count();
    eprintln!(
        "kill -9 with webhooks pending ({}): {} events; {} posts ({before_restart} before the \
         kill), {} accepted: {lost} lost, {} duplicates (sent again after the crash)",
        db.split(':').next().unwrap(),
        expected.len(),
        got.len(),
        accepted.len(),
        accepted.len() - unique.len()
    );
    assert_eq!(lost, 0);
    // The CLI reports them all delivered.
    assert_eq!(rows(&listed).len(), expected.len(), "{listed}");
    assert!(all_delivered(&rows(&listed)), "{listed}");
}

/// The real binary posting over https to an endpoint whose certificate the team's own CA
/// signed. With Mozilla's roots alone the handshake fails: nothing is posted, and the delivery
/// waits for its retry with the certificate error as its last error. Restarted with
/// `--webhook-ca-file` (the environment variable here), the same delivery goes out, signed,
/// and a new event follows it.
async fn https_to_an_endpoint_behind_a_team_ca_needs_its_ca_file(db: TestDb) {
    let db = db.url();
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, acceptor) = throwaway_ca();
    let ca_file = dir.path().join("team-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let receiver = Receiver::start_tls(Script::default(), acceptor).await;
    cli(&db, &["team", "create", "acme"]);
    let codes = invites(&db, "acme", 1);
    add_json_hook(&db, "acme", &receiver.url, "all");
    // https to loopback: the flag that lets a test post to its local endpoint.
    let flags = quick_serve("STANDIN_ALLOW_PRIVATE_WEBHOOKS");
    let (mut server, addr) = start(&db, &flags).await;
    let token = join_all(&addr, &codes).await.remove(0);
    declare(&addr, &token, 0, "offline").await;
    let tried = |rows: &[&str]| rows.iter().any(|r| r.contains("certificate"));
    let listed = listing_until(&db, "acme", Duration::from_secs(20), tried).await;
    let [row] = rows(&listed)[..] else {
        panic!("one delivery expected: {listed}")
    };
    assert!(
        row.contains(" pending ")
            && row.ends_with("network: TLS: invalid peer certificate: UnknownIssuer"),
        "{listed}"
    );
    let pending = row.split_whitespace().nth(1).unwrap().to_owned();
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    assert!(receiver.got().is_empty());
    let refused = receiver.handshakes();
    assert!(
        !refused.is_empty() && refused.iter().all(Result::is_err),
        "{refused:?}"
    );

    let ca = ca_file.to_str().unwrap();
    let with_ca = [flags.as_slice(), &[("STANDIN_WEBHOOK_CA_FILE", ca)]].concat();
    let (_server, addr) = start(&db, &with_ca).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].delivery.as_str(), got[0].event.kind),
        (pending.as_str(), EventKind::Offline)
    );
    declare(&addr, &token, 1, "online").await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].event.kind, EventKind::Back);
    let accepted: Vec<_> = receiver.handshakes()[refused.len()..].to_vec();
    assert!(
        !accepted.is_empty() && accepted.iter().all(|h| h.as_deref() == Ok("localhost")),
        "{accepted:?}"
    );
    let all_delivered =
        |rows: &[&str]| rows.len() == 2 && rows.iter().all(|r| r.contains(" delivered "));
    let listed = listing_until(&db, "acme", Duration::from_secs(10), all_delivered).await;
    assert!(all_delivered(&rows(&listed)), "{listed}");
}

/// A CA file that is missing, a directory, empty, holds only a key or breaks the PEM stops
/// `serve` before it listens, naming the flag and the path, whether given as the flag or in
/// the environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_ca_file_stops_serve_naming_the_flag_and_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let broken = "-----BEGIN CERTIFICATE-----\nMII%%%\n-----END CERTIFICATE-----\n";
    let cases = [
        (dir.path().join("missing.pem"), "cannot read it: ", false),
        (dir.path().to_path_buf(), "cannot read it: ", true),
        (file("empty.pem", ""), "no certificate in it", false),
        (file("key.pem", &key), "no certificate in it", true),
        (file("broken.pem", broken), "bad PEM: ", false),
    ];
    for (path, why, via_env) in cases {
        let path = path.to_str().unwrap();
        let mut command = tokio::process::Command::new(BIN);
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("STANDIN_DATABASE_URL", "sqlite::memory:")
            .kill_on_drop(true);
        if via_env {
            command.env("STANDIN_WEBHOOK_CA_FILE", path);
        } else {
            command.args(["--webhook-ca-file", path]);
        }
        let out = tokio::time::timeout(Duration::from_secs(30), command.output())
            .await
            .unwrap_or_else(|_| panic!("serve ran with the CA file {path}"))
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{path}: {stderr}");
        let said = format!("standin-server: --webhook-ca-file {path}: {why}");
        assert!(stderr.contains(&said), "{said}\n{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The admin commands: add, list (secret masked), test, remove.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_lists_tests_and_removes_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    cli(&db, &["team", "create", "acme"]);
    let receiver = Receiver::start(Script::default()).await;
    let added = cli(
        &db,
        &[
            "webhook",
            "add",
            "--team",
            "acme",
            "--url",
            &receiver.url,
            "--kind",
            "json",
            "--secret",
            SECRET,
        ],
    );
    let id = added.split_whitespace().nth(2).unwrap().to_owned();
    assert!(id.starts_with("w_"), "{added}");
    let listed = cli(&db, &["webhook", "list"]);
    assert!(
        listed.contains(&id) && listed.contains("…4321") && !listed.contains(SECRET),
        "{listed}"
    );
    assert!(listed.contains("offline,ooo,back,handoff"), "{listed}");
    for bad in [
        vec!["--url", "http://example.com/x", "--kind", "slack"],
        vec!["--url", "https://example.com/x", "--kind", "irc"],
        vec![
            "--url",
            "https://example.com/x",
            "--kind",
            "slack",
            "--events",
            "lunch",
        ],
    ] {
        let out = std::process::Command::new(common::process::BIN)
            .args(["webhook", "add", "--team", "acme"])
            .args(&bad)
            .env("STANDIN_DATABASE_URL", &db)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?}");
    }

    let (_server, _) = start(&db, &[("STANDIN_ALLOW_INSECURE_WEBHOOKS", "true")]).await;
    let queued = cli(&db, &["webhook", "test", &id]);
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "{queued}");
    assert!(queued.contains(&got[0].delivery), "{queued}");
    assert_eq!(got[0].event.note, "This is a test message from StandIn.");
    let listed = cli(&db, &["webhook", "deliveries", "--team", "acme"]);
    assert!(
        listed.contains(&got[0].delivery) && listed.contains("test"),
        "{listed}"
    );

    cli(&db, &["webhook", "remove", &id]);
    assert!(!cli(&db, &["webhook", "list"]).contains(&id));
    let gone = std::process::Command::new(common::process::BIN)
        .args(["webhook", "remove", &id])
        .env("STANDIN_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(!gone.status.success());
}
