//! Recently confirmed tokens, so that a read does not cost a database round trip for the token
//! alone. An entry is trusted for `ttl`; a token revoked (or a member removed) elsewhere stops
//! working on this process within that time. A ttl of zero disables the cache.

use crate::storage::Principal;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Principals {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Principal, Instant)>>,
}

/// Entries beyond this many trigger a sweep of the expired ones, bounding memory.
const SWEEP_AT: usize = 10_000;

impl Principals {
    pub fn new(ttl: Duration) -> Self {
        Principals {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, token_hash: &str) -> Option<Principal> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (principal, at) = entries.get(token_hash)?;
        (at.elapsed() < self.ttl).then(|| principal.clone())
    }

    pub fn put(&self, token_hash: &str, principal: &Principal) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        entries.insert(token_hash.to_owned(), (principal.clone(), Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Principal {
        Principal {
            member_id: "m_1".into(),
            team_id: "t_1".into(),
            is_admin: false,
        }
    }

    #[test]
    fn entries_expire_and_zero_disables() {
        let cache = Principals::new(Duration::from_millis(50));
        cache.put("h", &ann());
        assert_eq!(cache.get("h"), Some(ann()));
        assert_eq!(cache.get("other"), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("h"), None);
        let off = Principals::new(Duration::ZERO);
        off.put("h", &ann());
        assert_eq!(off.get("h"), None);
    }
}
