//! The real binary on a real socket: admin commands, `serve` on a free port, and a minimal
//! HTTP/1.1 client.

use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_standin-server");

/// Runs an admin command on `db`; returns its stdout.
pub fn cli(db: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(BIN)
        .args(args)
        .env("STANDIN_DATABASE_URL", db)
        .env("STANDIN_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `serve` on a free port with `env` set (`STANDIN_…` variables); returns the child
/// and its address.
pub async fn start(db: &str, env: &[(&str, &str)]) -> (Child, String) {
    start_logging(db, env, Stdio::inherit()).await
}

/// [`start`] with the server's log (stderr, at `warn`) going to `log`.
pub async fn start_logging(db: &str, env: &[(&str, &str)], log: Stdio) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0"])
        .env("STANDIN_DATABASE_URL", db)
        .env("STANDIN_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    (child, addr)
}

/// A minimal HTTP/1.1 client (one request per connection), enough for JSON bodies. Gives up
/// after 30 s, longer than the longest long poll.
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    if_match: Option<u64>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let request = async {
        let mut stream = TcpStream::connect(addr).await?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        if let Some(t) = token {
            head += &format!("Authorization: Bearer {t}\r\n");
        }
        if let Some(v) = if_match {
            head += &format!("If-Match: \"{v}\"\r\n");
        }
        if !body.is_empty() {
            head += &format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        }
        stream
            .write_all(format!("{head}\r\n{body}").as_bytes())
            .await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other("truncated response"))?;
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status"))?;
        Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
    };
    tokio::time::timeout(Duration::from_secs(30), request)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("timeout")))
}

/// Sends SIGTERM, as a service manager stopping the server would.
pub fn terminate(child: &Child) {
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
}
