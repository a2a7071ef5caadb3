//! What the extension keeps in browser storage, and the rules for keeping it: the keys, the
//! declaration history, which of two draft copies wins, and `storage.sync`'s per-item quota.
//!
//! - `storage.local`: [`STATE_KEY`] (the current [`DeclaredState`]), [`HISTORY_KEY`] (the
//!   last [`limits::HISTORY_LEN`] declarations, newest first), and [`DRAFT_KEY`] when the draft
//!   could not be synced.
//! - `storage.sync`: [`SETTINGS_KEY`] and [`DRAFT_KEY`], so both roam between the user's
//!   browsers.
//!
//! Values are stored as JSON-compatible objects (what `serde_json` writes), so they read the
//! same from Rust, from tests and in the browser's storage inspector.

use crate::draft::Draft;
use crate::limits;
use crate::model::DeclaredState;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub const STATE_KEY: &str = "state";
pub const HISTORY_KEY: &str = "history";
pub const SETTINGS_KEY: &str = "settings";
pub const DRAFT_KEY: &str = "draft";
/// `storage.local`: the team's roster and states ([`crate::team::TeamCache`]), written by the
/// background worker, read by the worker and the popup (content scripts get render specs).
pub const TEAM_KEY: &str = "team";
/// `storage.local`: the items the user viewed on tracker pages
/// ([`crate::features::activity::ActivityEntry`], newest first), written by the worker only.
pub const ACTIVITY_KEY: &str = "activity";
/// `storage.local`: item banners the user dismissed ([`crate::features::banner::Dismissal`]).
pub const DISMISSED_KEY: &str = "dismissed_banners";
/// `storage.local`: self-hosted tracker origins the user enabled ([`crate::sites::Origin`]).
pub const ORIGINS_KEY: &str = "origins";
/// `storage.local`: where versions before issue 11 kept the team server's bearer token. Every
/// `storage` area but `session` is open to content scripts, so the token now lives in the
/// extension origin's IndexedDB (`wasm::secret`), read by the background worker only; the
/// worker moves a token found here at start (docs/architecture.md).
pub const LEGACY_TOKEN_KEY: &str = "token";
/// `storage.local`: the team this browser joined ([`crate::connect::Connection`]), no token.
pub const CONNECTION_KEY: &str = "connection";
/// `storage.local`: the publishing outbox ([`crate::outbox::Outbox`]).
pub const OUTBOX_KEY: &str = "outbox";
/// `storage.local`: the connected status-mirror accounts (`mirror::Account`, no token), written
/// by the worker only.
pub const MIRRORS_KEY: &str = "mirrors";
/// `storage.local`: what the user chose about mirroring (`mirror::MirrorSettings`), written by
/// the options page only.
pub const MIRROR_SETTINGS_KEY: &str = "mirror_settings";
/// `storage.local`: what the worker reports about syncing ([`crate::sync::SyncStatus`]).
pub const SYNC_KEY: &str = "sync";

/// `storage.local`: the end-of-day reminder's snooze, skip and last notification
/// ([`crate::reminder::ReminderState`]), written by the background worker.
pub const REMINDER_KEY: &str = "reminder";
/// `storage.local`: when the user last closed the "since you were away" digest (a
/// [`Timestamp`]); the popup opens on the digest only for declarations newer than this.
pub const DIGEST_SEEN_KEY: &str = "digest_seen";
/// `storage.local`: the trackers the browser gives StandIn no access to
/// ([`crate::tracker_access::TrackerAccess`]), written by the background worker.
pub const TRACKER_ACCESS_KEY: &str = "tracker_access";
/// `storage.local`: declared items' live state and baselines (`live::LiveMap`, issue 16).
pub const LIVE_KEY: &str = "live";
/// `storage.local`: when the next refresh of the live state from the connected accounts may
/// run (a `Timestamp`): a minute after the last, later when a service said to wait.
pub const LIVE_DUE_KEY: &str = "live_due";

/// `storage.sync.QUOTA_BYTES_PER_ITEM`, the same in Chrome and Firefox: a value's JSON plus
/// its key.
pub const SYNC_QUOTA_BYTES_PER_ITEM: usize = 8192;

/// Whether a change of `key` in storage `area` can change the toolbar badge: it shows the
/// declared state, the end-of-day reminder (settings, history, the reminder's own key) and the
/// hand-offs waiting (team cache, connection); its tooltip names the trackers without access.
pub fn badge_depends_on(area: &str, key: &str) -> bool {
    match area {
        "sync" => key == SETTINGS_KEY,
        "local" => [
            STATE_KEY,
            HISTORY_KEY,
            REMINDER_KEY,
            TEAM_KEY,
            CONNECTION_KEY,
            TRACKER_ACCESS_KEY,
        ]
        .contains(&key),
        _ => false,
    }
}

/// A draft with the time it was written, so the newer of the synced and the local copy wins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDraft {
    pub saved_at: Timestamp,
    pub draft: Draft,
}

/// Whether `value` under `key` fits one `storage.sync` item: its JSON (serde_json's compact
/// form, what the browsers' `JSON.stringify` writes for it) and the key, counted in UTF-8
/// bytes, which is never less than what the browsers count, so a draft judged to fit is not
/// refused for size.
pub fn fits_sync_item<T: Serialize + ?Sized>(key: &str, value: &T) -> bool {
    crate::wire::json_len(value).is_some_and(|json| key.len() + json <= SYNC_QUOTA_BYTES_PER_ITEM)
}

/// The draft to restore: the newer of the synced copy and the local fallback (a draft too big
/// to sync stays on this device, while another browser may have synced a newer one since).
pub fn newest_draft(
    synced: Option<StoredDraft>,
    local: Option<StoredDraft>,
) -> Option<StoredDraft> {
    match (synced, local) {
        (Some(s), Some(l)) => Some(if l.saved_at > s.saved_at { l } else { s }),
        (s, l) => s.or(l),
    }
}

/// The history after a new declaration: newest first, at most [`limits::HISTORY_LEN`].
pub fn push_history(mut history: Vec<DeclaredState>, state: DeclaredState) -> Vec<DeclaredState> {
    history.insert(0, state);
    history.truncate(limits::HISTORY_LEN);
    history
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Declaration, Status};

    fn state(n: i64) -> DeclaredState {
        DeclaredState {
            declaration: Declaration::new(Status::Away, &format!("declaration {n}"), "UTC"),
            declared_at: Timestamp(n),
            version: 0,
        }
    }

    fn stored(at: i64, headline: &str) -> StoredDraft {
        StoredDraft {
            saved_at: Timestamp(at),
            draft: Draft {
                headline: headline.into(),
                ..Draft::default()
            },
        }
    }

    #[test]
    fn the_badge_follows_the_keys_it_shows() {
        for (area, key) in [
            ("local", STATE_KEY),
            ("local", HISTORY_KEY),
            ("local", REMINDER_KEY),
            ("local", TEAM_KEY),
            ("local", CONNECTION_KEY),
            ("local", TRACKER_ACCESS_KEY),
            ("sync", SETTINGS_KEY),
        ] {
            assert!(badge_depends_on(area, key), "{area}.{key}");
        }
        for (area, key) in [
            ("local", DRAFT_KEY),
            ("sync", DRAFT_KEY),
            ("local", ACTIVITY_KEY),
            ("local", SYNC_KEY),
            ("local", LEGACY_TOKEN_KEY),
            ("sync", STATE_KEY),
            ("session", STATE_KEY),
        ] {
            assert!(!badge_depends_on(area, key), "{area}.{key}");
        }
    }

    #[test]
    fn history_keeps_the_newest_twenty() {
        let mut history = Vec::new();
        for n in 0..25 {
            history = push_history(history, state(n));
        }
        assert_eq!(history.len(), limits::HISTORY_LEN);
        assert_eq!(history[0].declared_at, Timestamp(24));
        assert_eq!(history[19].declared_at, Timestamp(5));
    }

    #[test]
    fn the_newer_draft_copy_wins() {
        let synced = stored(10, "synced");
        let local = stored(20, "local");
        let pick = |s: &Option<StoredDraft>, l: &Option<StoredDraft>| {
            newest_draft(s.clone(), l.clone()).map(|d| d.draft.headline)
        };
        assert_eq!(
            pick(&Some(synced.clone()), &Some(local.clone())).unwrap(),
            "local"
        );
        assert_eq!(
            pick(&Some(stored(30, "synced")), &Some(local)).unwrap(),
            "synced"
        );
        assert_eq!(pick(&Some(synced), &None).unwrap(), "synced");
        assert_eq!(pick(&None, &None), None);
    }

    #[test]
    fn sync_quota_counts_key_and_utf8_bytes() {
        // A JSON string: the text and its two quotes.
        let fits = "x".repeat(SYNC_QUOTA_BYTES_PER_ITEM - DRAFT_KEY.len() - 2);
        assert!(fits_sync_item(DRAFT_KEY, &fits));
        assert!(!fits_sync_item(DRAFT_KEY, &format!("{fits}x")));
        // 2047 four-byte emoji are 8188 bytes, over the quota with the key and quotes.
        assert!(!fits_sync_item(DRAFT_KEY, &"😀".repeat(2047)));
        // Escapes count as written: a line break is two bytes.
        assert!(!fits_sync_item(DRAFT_KEY, &"\n".repeat(fits.len() / 2 + 1)));
    }

    #[test]
    fn a_maximal_draft_is_too_big_for_one_sync_item() {
        // Why the local fallback exists: the limits allow far more than 8 KiB of text.
        let draft = Draft {
            note: "n".repeat(limits::NOTE.max_graphemes),
            blockers: "b".repeat(limits::BLOCKERS.max_graphemes),
            ..Draft::default()
        };
        assert!(fits_sync_item(DRAFT_KEY, &draft));
        let mut bigger = draft;
        bigger.items = vec![
            crate::draft::ItemDraft {
                note: "i".repeat(limits::ITEM_NOTE.max_graphemes),
                ..Default::default()
            };
            12
        ];
        assert!(!fits_sync_item(DRAFT_KEY, &bigger));
    }

    #[test]
    fn decode_and_encode_match_serde() {
        use crate::wire::check::round_trips;
        let mut full = stored(1_795_000_000_123, "full");
        full.draft.items = vec![crate::draft::ItemDraft::default()];
        full.draft.expiry = crate::draft::Expiry::OneDay;
        round_trips(&full);
        round_trips(&stored(0, ""));
        let e = crate::wire::from_str::<StoredDraft>(r#"{"draft":{}}"#).unwrap_err();
        assert_eq!(e.path, "saved_at");
        let e = crate::wire::from_str::<StoredDraft>(
            r#"{"saved_at":"2026-11-27T17:42:00Z","draft":{"status":"x"}}"#,
        );
        assert_eq!(e.unwrap_err().path, "draft.status");
        let old = crate::wire::from_str::<StoredDraft>(
            r#"{"saved_at":"2026-11-27T17:42:00Z","draft":{}}"#,
        );
        assert_eq!(old.unwrap().draft, Draft::default());
    }
}
