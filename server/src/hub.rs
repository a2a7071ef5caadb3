//! Wakes long-polls when a team's change counter moves. One `watch` channel per team holds the
//! newest counter this process knows of, so a waiter that subscribes late misses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tokio::sync::watch;

#[derive(Default)]
pub struct ChangeHub {
    teams: Mutex<HashMap<String, watch::Sender<u64>>>,
    closing: AtomicBool,
}

impl ChangeHub {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_sender<R>(&self, team_id: &str, f: impl FnOnce(&watch::Sender<u64>) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        let mut teams = self.teams.lock().unwrap_or_else(|e| e.into_inner());
        // Look up before inserting: reads call this per request and must not allocate.
        if let Some(sender) = teams.get(team_id) {
            return f(sender);
        }
        f(teams
            .entry(team_id.to_owned())
            .or_insert_with(|| watch::channel(0).0))
    }

    /// A write committed `seq` in `team_id` (locally, or on another replica).
    pub fn publish(&self, team_id: &str, seq: u64) {
        self.with_sender(team_id, |tx| {
            tx.send_if_modified(|latest| {
                let newer = seq > *latest;
                if newer {
                    *latest = seq;
                }
                newer
            })
        });
    }

    pub fn subscribe(&self, team_id: &str) -> watch::Receiver<u64> {
        self.with_sender(team_id, |tx| tx.subscribe())
    }

    /// The newest counter this process has heard of (0 if none).
    pub fn latest(&self, team_id: &str) -> u64 {
        self.with_sender(team_id, |tx| *tx.borrow())
    }

    /// Wakes every waiter to re-check the database (notifications may have been missed).
    pub fn wake_all(&self) {
        let teams = self.teams.lock().unwrap_or_else(|e| e.into_inner());
        for tx in teams.values() {
            tx.send_modify(|_| {});
        }
    }

    /// The server is shutting down: every waiter answers now (and new ones do not wait), so
    /// clients resume against the next process instead of holding the shutdown up.
    pub fn close(&self) {
        // Set before the wake-up: a woken waiter must see it.
        self.closing.store(true, Ordering::SeqCst);
        self.wake_all();
    }

    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }
}
