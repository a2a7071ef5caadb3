//! `serve`'s connection limits, on the real binary and a real socket: the header-read and
//! idle timeouts, the cap on open connections, and shutdown on SIGTERM. The limits are set
//! through their environment variables. Also what the binary prints for an admin's first
//! steps: `serve`'s warning while no team exists, `invite`'s join link.
#![allow(clippy::unwrap_used)]

mod common;

use common::process::{cli, http, start, start_logging, terminate, BIN};
use serde_json::json;
use standin_server::cli::DEV_EXTENSION_ID;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Child;

const HEADER_READ: Duration = Duration::from_secs(1);
const IDLE: Duration = Duration::from_secs(3);
const CAP: usize = 4;
/// Scheduling slack on a loaded two-core machine.
const SLACK: Duration = Duration::from_millis(1500);

struct Server {
    child: Child,
    addr: String,
    db: String,
    _dir: tempfile::TempDir,
}

async fn server(header_read: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("net.db").display());
    let cap = CAP.to_string();
    let (child, addr) = start(
        &db,
        &[
            ("STANDIN_HEADER_READ_TIMEOUT", header_read),
            ("STANDIN_IDLE_TIMEOUT", "3s"),
            ("STANDIN_MAX_CONNECTIONS", &cap),
        ],
    )
    .await;
    Server {
        child,
        addr,
        db,
        _dir: dir,
    }
}

/// Reads until the server closes the connection; how long that took, or `None` if it was
/// still open after `limit`.
async fn closed_within(stream: &mut (impl AsyncRead + Unpin), limit: Duration) -> Option<Duration> {
    let t = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(t.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(t.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// A kept-alive connection that has had one answer.
async fn idle_connection(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    while !String::from_utf8_lossy(&got).contains(r#"{"status":"ok"}"#) {
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before answering");
        got.extend_from_slice(&buf[..n]);
    }
    stream
}

/// A connection that sent the start of a request and never its end.
async fn half_sent(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    stream
}

async fn exits_within(child: &mut Child, limit: Duration) -> bool {
    tokio::time::timeout(limit, child.wait()).await.is_ok()
}

fn open_sockets(child: &Child) -> usize {
    let dir = format!("/proc/{}/fd", child.id().unwrap());
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connection_is_closed_after_the_idle_timeout() {
    let s = server("1s").await;
    let mut stream = idle_connection(&s.addr).await;
    let closed = closed_within(&mut stream, IDLE + SLACK).await;
    let closed = closed.expect("idle connection still open");
    // Its own timeout, not the (shorter) header-read one.
    assert!(closed >= IDLE - Duration::from_millis(300), "{closed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_head_is_closed_after_the_header_timeout() {
    let s = server("1s").await;
    let (mut read, mut write) = half_sent(&s.addr).await.into_split();
    // A header line now and then, as a slowloris client sends them.
    let trickle = tokio::spawn(async move {
        for i in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write
                .write_all(format!("X-{i}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let closed = closed_within(&mut read, HEADER_READ + SLACK).await;
    assert!(closed.is_some(), "half-sent request still open");
    trickle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_outside_the_server() {
    let s = server("1s").await;
    let before = open_sockets(&s.child);
    let mut silent = Vec::new();
    for _ in 0..3 * CAP {
        silent.push(TcpStream::connect(&s.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let open = open_sockets(&s.child) - before;
    assert!(open <= CAP, "{open} connections held, cap {CAP}");

    // /healthz queues behind them and is served once their header timeouts free the slots:
    // three rounds of CAP.
    let t = Instant::now();
    let healthz = http(&s.addr, "GET", "/healthz", None, None, None);
    let (status, body) = tokio::time::timeout(3 * HEADER_READ + 2 * SLACK, healthz)
        .await
        .expect("/healthz not served once slots freed")
        .unwrap();
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_idle_and_half_sent_connections_and_exits() {
    let mut s = server("30s").await;
    let mut idle = idle_connection(&s.addr).await;
    let mut half = half_sent(&s.addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    terminate(&s.child);
    let bound = Duration::from_secs(1);
    assert!(
        closed_within(&mut idle, bound).await.is_some(),
        "idle one open"
    );
    assert!(
        closed_within(&mut half, bound).await.is_some(),
        "half-sent one open"
    );
    assert!(
        exits_within(&mut s.child, Duration::from_secs(2)).await,
        "still running"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_a_waiting_long_poll_at_once() {
    let mut s = server("10s").await;
    cli(&s.db, &["team", "create", "net"]);
    let code = cli(&s.db, &["invite", "--team", "net"]).trim().to_owned();
    let join = json!({"invite": code, "display_name": "Ann", "timezone": "UTC"});
    let (status, joined) = http(&s.addr, "POST", "/v1/join", None, None, Some(&join))
        .await
        .unwrap();
    assert_eq!(status, 201, "{joined}");
    let token = joined["token"].as_str().unwrap().to_owned();
    let (_, first) = http(&s.addr, "GET", "/v1/team/changes", Some(&token), None, None)
        .await
        .unwrap();
    let cursor = first["cursor"].as_u64().unwrap();

    let poll = {
        let (addr, token) = (s.addr.clone(), token.clone());
        let path = format!("/v1/team/changes?after={cursor}&wait=25");
        tokio::spawn(async move {
            let got = http(&addr, "GET", &path, Some(&token), None, None).await;
            (got, Instant::now())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    terminate(&s.child);
    let signalled = Instant::now();
    let (got, answered) = poll.await.unwrap();
    let (status, changes) = got.unwrap();
    assert!(
        answered - signalled < Duration::from_secs(1),
        "answered {:?} after",
        answered - signalled
    );
    // The ordinary "nothing new" answer: the client polls again from the same cursor.
    assert_eq!(status, 200, "{changes}");
    assert_eq!(changes["cursor"].as_u64(), Some(cursor));
    assert!(changes["states"].as_array().unwrap().is_empty());
    assert!(
        exits_within(&mut s.child, Duration::from_secs(2)).await,
        "still running"
    );
}

/// What `serve` logs (at `warn`) until it listens, then it is stopped.
async fn startup_log(db: &str) -> String {
    let (child, _) = start_logging(db, &[], Stdio::piped()).await;
    terminate(&child);
    let out = child.wait_with_output().await.unwrap();
    String::from_utf8(out.stderr).unwrap()
}

#[tokio::test]
async fn serve_warns_at_start_while_no_team_exists() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let log = startup_log(&db).await;
    assert!(log.contains("no team exists yet"), "{log}");
    let create = format!("standin-server --database-url {db} team create NAME");
    assert!(log.contains(&create), "{log}");
    cli(&db, &["team", "create", "local"]);
    let log = startup_log(&db).await;
    assert!(!log.contains("no team"), "{log}");
}

/// `invite --team local` with `args` and `env`: (stdout, stderr).
fn invite(db: &str, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = std::process::Command::new(BIN)
        .args(["invite", "--team", "local"])
        .args(args)
        .env("STANDIN_DATABASE_URL", db)
        .env("STANDIN_LOG", "warn")
        .env_remove("STANDIN_EXTENSION_ID")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = |bytes| String::from_utf8(bytes).unwrap();
    (text(out.stdout), text(out.stderr))
}

#[test]
fn invite_prints_the_join_link_beside_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("invite.db").display());
    cli(&db, &["team", "create", "local"]);
    let link = |id: &str, code: &str| {
        format!("chrome-extension://{id}/options.html?server=http%3A%2F%2F127.0.0.1%3A9000&invite={code}")
    };
    // The development build's id by default; stdout keeps the code alone, for scripts.
    let (out, err) = invite(&db, &["--server-url", "http://127.0.0.1:9000"], &[]);
    let code = out.trim();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(err.contains(&link(DEV_EXTENSION_ID, code)), "{err}");
    // Another id: the flag, or its variable.
    let other = "abcdefghijklmnopabcdefghijklmnop";
    let (out, err) = invite(
        &db,
        &[
            "--server-url",
            "http://127.0.0.1:9000",
            "--extension-id",
            other,
        ],
        &[],
    );
    assert!(err.contains(&link(other, out.trim())), "{err}");
    let env = [
        ("STANDIN_EXTENSION_ID", other),
        ("STANDIN_SERVER_URL", "http://127.0.0.1:9000"),
    ];
    let (out, err) = invite(&db, &[], &env);
    assert!(err.contains(&link(other, out.trim())), "{err}");
    // None: no link.
    let (_, err) = invite(&db, &["--extension-id", ""], &[]);
    assert!(!err.contains("join link"), "{err}");
}
