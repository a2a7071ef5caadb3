//! Durability: the real binary on a real SQLite file is killed with SIGKILL while clients
//! write; after each restart every write that was answered 2xx is there. Then the CLI's admin
//! commands are checked against the same file.
#![allow(clippy::unwrap_used)]

mod common;

use common::process::{cli, http, start};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WRITERS: usize = 4;
const ROUNDS: usize = 3;

/// The last acknowledged write of each writer: (version, headline).
type Acked = Arc<Mutex<HashMap<usize, (u64, String)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    cli(&db, &["team", "create", "crash"]);
    let codes: Vec<String> = (0..WRITERS)
        .map(|_| cli(&db, &["invite", "--team", "crash"]).trim().to_owned())
        .collect();

    let (mut server, mut addr) = start(&db, &[]).await;
    let mut tokens = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let body = json!({"invite": code, "display_name": format!("writer{i}"), "timezone": "UTC"});
        let (status, joined) = http(&addr, "POST", "/v1/join", None, None, Some(&body))
            .await
            .unwrap();
        assert_eq!(status, 201, "{joined}");
        tokens.push(joined["token"].as_str().unwrap().to_owned());
    }

    let acked: Acked = Arc::default();
    let mut versions = [0u64; WRITERS];
    let mut total_acked = 0usize;
    for round in 0..ROUNDS {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (addr, token, acked) = (addr.clone(), tokens[w].clone(), acked.clone());
                let mut version = versions[w];
                tokio::spawn(async move {
                    let mut ok = 0usize;
                    loop {
                        let headline = format!("w{w} r{round} v{}", version + 1);
                        let body =
                            json!({"status": "online", "headline": headline, "timezone": "UTC"});
                        match http(
                            &addr,
                            "PUT",
                            "/v1/me/state",
                            Some(&token),
                            Some(version),
                            Some(&body),
                        )
                        .await
                        {
                            Ok((200, state)) => {
                                version = state["version"].as_u64().unwrap();
                                acked.lock().unwrap().insert(w, (version, headline));
                                ok += 1;
                            }
                            Ok((412, e)) => version = e["current"]["version"].as_u64().unwrap(),
                            Ok((status, e)) => panic!("unexpected {status}: {e}"),
                            Err(_) => return ok, // the server is gone
                        }
                    }
                })
            })
            .collect();
        // Let them write for a while, then SIGKILL mid-stream.
        tokio::time::sleep(Duration::from_millis(400 + 300 * round as u64)).await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        for w in writers {
            total_acked += w.await.unwrap();
        }

        (server, addr) = start(&db, &[]).await;
        for (w, token) in tokens.iter().enumerate() {
            let (status, me) = http(&addr, "GET", "/v1/me", Some(token), None, None)
                .await
                .unwrap();
            assert_eq!(status, 200);
            let on_disk = me["state"]["version"].as_u64().unwrap();
            let (acked_version, acked_headline) =
                acked.lock().unwrap().get(&w).cloned().unwrap_or_default();
            // A write in flight at the kill may have committed without its answer arriving
            // (one version ahead); an answered one must never be missing.
            assert!(
                on_disk == acked_version || on_disk == acked_version + 1,
                "writer {w}: acknowledged v{acked_version}, found v{on_disk}"
            );
            if on_disk == acked_version && on_disk > 0 {
                assert_eq!(
                    me["state"]["state"]["declaration"]["headline"],
                    acked_headline.as_str()
                );
            }
            versions[w] = on_disk;
        }
    }
    println!("kill -9: {ROUNDS} rounds, {total_acked} acknowledged writes, 0 lost");
    assert!(
        total_acked >= WRITERS * ROUNDS,
        "writers made progress ({total_acked})"
    );

    // The admin CLI on the same file: list, revoke, remove.
    let list = cli(&db, &["member", "list", "--team", "crash"]);
    assert!(
        list.contains("writer0") && list.contains("writer3"),
        "{list}"
    );
    cli(&db, &["token", "revoke", "--token", &tokens[0]]);
    let member1 = list
        .lines()
        .find(|l| l.contains("writer1"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    cli(&db, &["member", "remove", "--team", "crash", &member1]);
    // A running server trusts a confirmed token for up to 2 s (Options::token_cache) and a
    // cached team-states body for 1 s; the CLI's writes must show within that.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let mut statuses = Vec::new();
        for token in &tokens[..2] {
            statuses.push(
                http(&addr, "GET", "/v1/me", Some(token), None, None)
                    .await
                    .unwrap()
                    .0,
            );
        }
        let (status, states) = http(
            &addr,
            "GET",
            "/v1/team/states",
            Some(&tokens[2]),
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200);
        let removed_gone = !states.to_string().contains(&member1);
        if statuses == [401, 401] && removed_gone {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "revoked/removed still visible: {statuses:?}, removed state gone: {removed_gone}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.start_kill().unwrap();
}
