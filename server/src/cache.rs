//! The serialised body of `GET /v1/team/states`, kept per team and cursor so a read costs a
//! map lookup, not a query and a serialisation of every member's declaration. Plain JSON and
//! gzip are both kept: compressing a 1,000-member body per request would dominate the cost.
//!
//! An entry is trusted while it is at least as new as the newest cursor this process has heard
//! of (its own writes, NOTIFY from other replicas) and was confirmed against the database
//! within `revalidate`; the second condition catches writes nobody announced (the CLI writing
//! the SQLite file, a missed notification).

use crate::storage::{Result, Storage};
use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use standin::api::{TeamInfo, TeamStates};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Snapshot {
    pub cursor: u64,
    pub etag: String,
    pub json: Bytes,
    /// `None` if compression failed (never expected); the JSON is then served as is.
    pub gzip: Option<Bytes>,
    /// Milliseconds since `StatesCache::epoch` when the database last confirmed `cursor`.
    confirmed_ms: AtomicU64,
}

pub struct StatesCache {
    epoch: Instant,
    revalidate: Duration,
    teams: Mutex<HashMap<String, Arc<Snapshot>>>,
    /// One rebuild per team at a time: a burst of reads after a write rebuilds once.
    rebuilding: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The ETag of a team's states at a cursor. Weak: the body may be served gzipped or not. The
/// team is part of it so no cache can mistake one team's body for another's.
pub fn etag_for(team_id: &str, cursor: u64) -> String {
    format!("W/\"{team_id}:{cursor}\"")
}

impl StatesCache {
    pub fn new(revalidate: Duration) -> Self {
        StatesCache {
            epoch: Instant::now(),
            revalidate,
            teams: Mutex::new(HashMap::new()),
            rebuilding: Mutex::new(HashMap::new()),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn cached(&self, team_id: &str) -> Option<Arc<Snapshot>> {
        let teams = self.teams.lock().unwrap_or_else(|e| e.into_inner());
        teams.get(team_id).cloned()
    }

    fn fresh(&self, snapshot: &Snapshot, latest: u64) -> bool {
        let age = self
            .now_ms()
            .saturating_sub(snapshot.confirmed_ms.load(Ordering::Relaxed));
        snapshot.cursor >= latest && Duration::from_millis(age) < self.revalidate
    }

    /// The team's current states body.
    pub async fn get(&self, store: &dyn Storage, team_id: &str) -> Result<Arc<Snapshot>> {
        let hub = store.hub();
        if let Some(s) = self
            .cached(team_id)
            .filter(|s| self.fresh(s, hub.latest(team_id)))
        {
            return Ok(s);
        }
        let gate = {
            let mut gates = self.rebuilding.lock().unwrap_or_else(|e| e.into_inner());
            gates.entry(team_id.to_owned()).or_default().clone()
        };
        let _rebuilding = gate.lock().await;
        let cached = self.cached(team_id);
        if let Some(s) = cached
            .as_ref()
            .filter(|s| self.fresh(s, hub.latest(team_id)))
        {
            return Ok(s.clone());
        }
        let cursor = store.team_cursor(team_id).await?;
        // Tell waiting long-polls about writes this process had not heard of.
        hub.publish(team_id, cursor);
        if let Some(s) = cached.filter(|s| s.cursor == cursor) {
            s.confirmed_ms.store(self.now_ms(), Ordering::Relaxed);
            return Ok(s);
        }
        let (cursor, states) = store.team_states(team_id).await?;
        let team = store.team(team_id).await?;
        let body = TeamStates {
            team: TeamInfo {
                id: team_id.to_owned(),
                name: team.map(|t| t.name).unwrap_or_default(),
            },
            cursor,
            states,
        };
        let json = serde_json::to_vec(&body)?;
        let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::default());
        let gzip = gz.write_all(&json).and_then(|()| gz.finish()).ok();
        let snapshot = Arc::new(Snapshot {
            cursor,
            etag: etag_for(team_id, cursor),
            json: Bytes::from(json),
            gzip: gzip.map(Bytes::from),
            confirmed_ms: AtomicU64::new(self.now_ms()),
        });
        let mut teams = self.teams.lock().unwrap_or_else(|e| e.into_inner());
        teams.insert(team_id.to_owned(), snapshot.clone());
        Ok(snapshot)
    }
}
