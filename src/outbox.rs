//! The publishing outbox (DESIGN.md §4): a declaration or a clear made in the popup is kept
//! locally and sent by the background worker with `If-Match`, until the server has it exactly
//! once. Pure rules only; the worker does the I/O and persists [`Outbox`] in `storage.local`.

use crate::api::{item_key, MemberState};
use crate::model::{Declaration, DeclaredState};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What the user last asked for that the server has not confirmed. Only the newest intent is
/// kept: a later declaration supersedes an unsent one, as it would overwrite it on arrival.
/// Stored externally tagged (`{"declare":{"declaration":…}}`, `"clear"`): an internal tag
/// would make serde buffer every value it reads, which costs kilobytes of wasm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    // Boxed: a declaration is large and most outboxes hold nothing.
    Declare { declaration: Box<Declaration> },
    Clear,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub intent: Intent,
    /// The server version this write replaces (`If-Match`).
    pub base_version: u64,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
}

/// The outbox as stored: at most one pending write, plus what the popup shows about sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    #[serde(default)]
    pub pending: Option<Pending>,
    /// The version the server last confirmed for our state.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub server_version: u64,
    #[serde(default)]
    pub synced_at: Option<Timestamp>,
    /// A 412 whose server copy differs from ours: the popup shows both and the user chooses.
    #[serde(default)]
    pub conflict: Option<Conflict>,
    /// A refusal the user must act on (e.g. the server rejected a field).
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub local: Intent,
    pub server: MemberState,
}

/// How one attempt to send the pending write ended.
#[derive(Clone, Debug, PartialEq)]
pub enum SendOutcome {
    /// 2xx with the state as stored.
    Stored(MemberState),
    /// 412 with the server's current state.
    Stale(MemberState),
    /// Network failure, timeout, 429 or 5xx: worth retrying (`Retry-After` in ms if given).
    Transient { retry_after_ms: Option<i64> },
    /// 401: the token is no longer valid; the worker disconnects.
    Unauthorized,
    /// Any other 4xx: retrying the same body cannot succeed.
    Refused { message: String },
}

const FIRST_BACKOFF_MS: i64 = 2_000;
const MAX_BACKOFF_MS: i64 = 5 * 60_000;

/// Exponential backoff, 2 s doubling to 5 min.
pub fn backoff_ms(attempts: u32) -> i64 {
    FIRST_BACKOFF_MS
        .saturating_mul(1_i64 << attempts.min(20))
        .min(MAX_BACKOFF_MS)
}

impl Outbox {
    /// Queues the user's newest intent, replacing any unsent one, for sending now. After a
    /// conflict this is how the user's choice is published over the server's copy.
    pub fn enqueue(&mut self, intent: Intent, now: Timestamp) {
        self.pending = Some(Pending {
            intent,
            base_version: self.server_version,
            attempts: 0,
            next_attempt_at: now,
        });
        self.conflict = None;
        self.error = None;
    }

    /// The write to send now, if one is due.
    pub fn due(&self, now: Timestamp) -> Option<&Pending> {
        self.pending.as_ref().filter(|p| p.next_attempt_at <= now)
    }

    /// Applies the outcome of sending the pending write. Returns whether the token was refused.
    pub fn record(&mut self, outcome: SendOutcome, now: Timestamp) -> bool {
        let Some(pending) = self.pending.take() else {
            return false;
        };
        match outcome {
            SendOutcome::Stored(state) => self.confirm(state.version, now),
            // The write may have landed before its answer was lost: if the server already holds
            // exactly what we meant, it is delivered; sending it again would duplicate it.
            SendOutcome::Stale(server) if lands_as(&pending.intent, &server) => {
                self.confirm(server.version, now)
            }
            SendOutcome::Stale(server) => {
                self.server_version = server.version;
                self.conflict = Some(Conflict {
                    local: pending.intent,
                    server,
                });
            }
            SendOutcome::Transient { retry_after_ms } => {
                let wait = retry_after_ms
                    .unwrap_or(0)
                    .max(backoff_ms(pending.attempts));
                self.pending = Some(Pending {
                    attempts: pending.attempts + 1,
                    next_attempt_at: now.plus_ms(wait),
                    ..pending
                });
            }
            SendOutcome::Unauthorized => {
                self.pending = Some(pending);
                return true;
            }
            SendOutcome::Refused { message } => self.error = Some(message),
        }
        false
    }

    /// Applies the outcome of sending `sent` to the outbox as it is *now*: while the request
    /// was in flight the user may have queued a newer intent (or disconnected). Then the newer
    /// intent stays queued, but a write that landed moves its `If-Match` to the version this
    /// write produced; it was meant to replace this one, and left on the old version it would
    /// meet our own write as a conflict. Returns whether the token was refused.
    pub fn record_sent(&mut self, sent: &Pending, outcome: SendOutcome, now: Timestamp) -> bool {
        if self.pending.as_ref() == Some(sent) {
            return self.record(outcome, now);
        }
        let landed = match outcome {
            SendOutcome::Stored(state) => Some(state.version),
            SendOutcome::Stale(server) if lands_as(&sent.intent, &server) => Some(server.version),
            SendOutcome::Unauthorized => return true,
            // The newer intent is sent on its own; this outcome no longer concerns anyone.
            _ => None,
        };
        if let Some(version) = landed.filter(|v| *v > self.server_version) {
            self.confirm(version, now);
            if let Some(newer) = &mut self.pending {
                newer.base_version = version;
            }
        }
        false
    }

    /// Applies the user's choice in the conflict view. Returns what the local declared state
    /// becomes; a choice that publishes something queues it.
    pub fn resolve(
        &mut self,
        choice: Resolution,
        now: Timestamp,
    ) -> Result<LocalChange, ResolveError> {
        let conflict = self.conflict.take().ok_or(ResolveError::NoConflict)?;
        match choice {
            Resolution::KeepLocal => {
                self.enqueue(conflict.local, now);
                Ok(LocalChange::Keep)
            }
            Resolution::KeepServer => {
                self.confirm(conflict.server.version, now);
                Ok(match conflict.server.state {
                    Some(state) => LocalChange::Set(Box::new(state)),
                    None => LocalChange::Remove,
                })
            }
            Resolution::Merge => {
                let merged = match (&conflict.local, &conflict.server.state) {
                    (Intent::Declare { declaration }, Some(server)) => {
                        merge_items(declaration, &server.declaration)
                    }
                    _ => {
                        self.conflict = Some(conflict);
                        return Err(ResolveError::CannotMerge);
                    }
                };
                self.enqueue(
                    Intent::Declare {
                        declaration: Box::new(merged.clone()),
                    },
                    now,
                );
                Ok(LocalChange::Set(Box::new(DeclaredState {
                    declaration: merged,
                    declared_at: now,
                    version: 0,
                })))
            }
        }
    }

    fn confirm(&mut self, version: u64, now: Timestamp) {
        self.server_version = version;
        self.synced_at = Some(now);
        self.error = None;
    }
}

/// The user's choice when the server holds a newer copy than the one they published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Publish this browser's version over the server's.
    KeepLocal,
    /// Take the server's version here; nothing is published.
    KeepServer,
    /// Publish this browser's version plus the server copy's other items.
    Merge,
}

/// What the local declared state becomes after a [`Resolution`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalChange {
    Keep,
    Set(Box<DeclaredState>),
    Remove,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("there is no conflict to resolve")]
    NoConflict,
    #[error("only two declarations can be merged (one side is cleared)")]
    CannotMerge,
}

impl Conflict {
    /// Whether "Merge items" applies: both sides hold a declaration.
    pub fn can_merge(&self) -> bool {
        matches!(self.local, Intent::Declare { .. }) && self.server.state.is_some()
    }
}

/// "Merge" in the conflict view: the local declaration, plus the server copy's items that the
/// local one lacks (matched by item key), after the local ones, as many as the limits on
/// items and on the declaration's size allow (the server would refuse more).
pub fn merge_items(local: &Declaration, server: &Declaration) -> Declaration {
    let mut merged = local.clone();
    for item in &server.items {
        if !merged
            .items
            .iter()
            .any(|mine| item_key(mine) == item_key(item))
        {
            merged.items.push(item.clone());
        }
    }
    merged.items.truncate(crate::limits::MAX_ITEMS);
    while merged.items.len() > local.items.len()
        && crate::validate::declaration_size(&merged) > crate::limits::MAX_DECLARATION_BYTES
    {
        merged.items.pop();
    }
    merged
}

fn lands_as(intent: &Intent, server: &MemberState) -> bool {
    match (intent, &server.state) {
        (Intent::Declare { declaration }, Some(state)) => state.declaration == **declaration,
        (Intent::Clear, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::sample;
    use crate::model::WorkItem;

    const T0: Timestamp = Timestamp(1_795_000_000_000);

    fn declare() -> Intent {
        Intent::Declare {
            declaration: Box::new(sample()),
        }
    }

    fn server(version: u64, declaration: Option<Declaration>) -> MemberState {
        MemberState {
            member_id: "m_1".into(),
            version,
            state: declaration.map(|declaration| DeclaredState {
                declaration,
                declared_at: T0,
                version,
            }),
            acks: vec![],
            recipients: vec![],
        }
    }

    #[test]
    fn stored_write_is_confirmed_once() {
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        assert_eq!(outbox.due(T0).unwrap().base_version, 0);
        assert!(!outbox.record(SendOutcome::Stored(server(1, Some(sample()))), T0));
        assert_eq!(outbox.pending, None);
        assert_eq!((outbox.server_version, outbox.synced_at), (1, Some(T0)));
        assert_eq!(outbox.due(T0), None, "nothing is sent twice");
        outbox.enqueue(Intent::Clear, T0);
        assert_eq!(outbox.due(T0).unwrap().base_version, 1);
    }

    #[test]
    fn failures_back_off_and_keep_the_write() {
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        outbox.record(
            SendOutcome::Transient {
                retry_after_ms: None,
            },
            T0,
        );
        let pending = outbox.pending.clone().unwrap();
        assert_eq!(
            (pending.attempts, pending.next_attempt_at),
            (1, T0.plus_ms(2_000))
        );
        assert_eq!(outbox.due(T0.plus_ms(1_999)), None);
        assert!(outbox.due(T0.plus_ms(2_000)).is_some());
        outbox.record(
            SendOutcome::Transient {
                retry_after_ms: Some(60_000),
            },
            T0,
        );
        assert_eq!(
            outbox.pending.as_ref().unwrap().next_attempt_at,
            T0.plus_ms(60_000)
        );
        assert_eq!(backoff_ms(0), 2_000);
        assert_eq!(backoff_ms(3), 16_000);
        assert_eq!(backoff_ms(40), 300_000);
    }

    #[test]
    fn a_lost_answer_is_not_a_conflict() {
        // The PUT landed but its answer was lost; the retry meets our own write as version 1.
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        outbox.record(SendOutcome::Stale(server(1, Some(sample()))), T0);
        assert_eq!(
            (outbox.pending.as_ref(), outbox.conflict.as_ref()),
            (None, None)
        );
        assert_eq!(outbox.server_version, 1);
    }

    #[test]
    fn a_newer_server_copy_becomes_a_conflict_then_the_choice_wins() {
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        let mut theirs = sample();
        theirs.headline = "Declared from the laptop".into();
        outbox.record(SendOutcome::Stale(server(4, Some(theirs.clone()))), T0);
        let conflict = outbox.conflict.clone().unwrap();
        assert_eq!(conflict.local, declare());
        assert_eq!(conflict.server.version, 4);
        assert_eq!(
            outbox.pending, None,
            "nothing overwrites until the user chooses"
        );
        outbox.enqueue(declare(), T0);
        assert_eq!(outbox.conflict, None);
        assert_eq!(outbox.due(T0).unwrap().base_version, 4);
    }

    #[test]
    fn unauthorized_keeps_the_write_and_refusal_drops_it_with_a_message() {
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        assert!(outbox.record(SendOutcome::Unauthorized, T0));
        assert!(outbox.pending.is_some());
        outbox.record(
            SendOutcome::Refused {
                message: "timezone: unknown zone".into(),
            },
            T0,
        );
        assert_eq!(outbox.pending, None);
        assert_eq!(outbox.error.as_deref(), Some("timezone: unknown zone"));
    }

    #[test]
    fn an_answer_for_a_superseded_write_rebases_the_newer_one() {
        let mut outbox = Outbox::default();
        outbox.enqueue(declare(), T0);
        let sent = outbox.due(T0).cloned().unwrap();
        // While the PUT is in flight the user clears.
        outbox.enqueue(Intent::Clear, T0.plus_ms(10));
        assert!(!outbox.record_sent(&sent, SendOutcome::Stored(server(1, Some(sample()))), T0));
        let pending = outbox.pending.clone().unwrap();
        assert_eq!((pending.intent, pending.base_version), (Intent::Clear, 1));
        assert_eq!(outbox.server_version, 1);
        // A failed superseded send changes nothing; an unauthorized one still says so.
        let mut again = outbox.clone();
        let transient = SendOutcome::Transient {
            retry_after_ms: None,
        };
        assert!(!again.record_sent(&sent, transient, T0));
        assert_eq!(again, outbox);
        assert!(again.record_sent(&sent, SendOutcome::Unauthorized, T0));
        // The current write is recorded as usual.
        let current = outbox.due(T0.plus_ms(10)).cloned().unwrap();
        outbox.record_sent(&current, SendOutcome::Stored(server(2, None)), T0);
        assert_eq!((outbox.pending.as_ref(), outbox.server_version), (None, 2));
    }

    #[test]
    fn the_users_choice_ends_a_conflict() {
        let mut theirs = sample();
        theirs.headline = "Declared from the laptop".into();
        theirs.items[0].canonical_ref = "github.com/o/r/pull/99".into();
        let conflicted = || {
            let mut outbox = Outbox::default();
            outbox.enqueue(declare(), T0);
            outbox.record(SendOutcome::Stale(server(4, Some(theirs.clone()))), T0);
            outbox
        };
        assert!(conflicted().conflict.unwrap().can_merge());

        let mut keep_local = conflicted();
        assert_eq!(
            keep_local.resolve(Resolution::KeepLocal, T0),
            Ok(LocalChange::Keep)
        );
        let pending = keep_local.due(T0).unwrap();
        assert_eq!((&pending.intent, pending.base_version), (&declare(), 4));

        let mut keep_server = conflicted();
        let change = keep_server.resolve(Resolution::KeepServer, T0).unwrap();
        let LocalChange::Set(state) = change else {
            panic!("expected the server's state, got {change:?}")
        };
        assert_eq!(state.declaration, theirs);
        assert_eq!(
            (keep_server.pending.as_ref(), keep_server.server_version),
            (None, 4)
        );
        assert_eq!(keep_server.synced_at, Some(T0));

        let mut merge = conflicted();
        let LocalChange::Set(merged) = merge.resolve(Resolution::Merge, T0).unwrap() else {
            panic!("merge sets the local state")
        };
        assert_eq!(
            merged.declaration.headline,
            sample().headline,
            "local fields win"
        );
        assert_eq!(merged.declaration.items.len(), 2);
        let Intent::Declare { declaration } = &merge.due(T0).unwrap().intent else {
            panic!("merge publishes a declaration")
        };
        assert_eq!(**declaration, merged.declaration);

        assert_eq!(
            Outbox::default().resolve(Resolution::KeepLocal, T0),
            Err(ResolveError::NoConflict)
        );
    }

    #[test]
    fn a_cleared_side_cannot_be_merged_and_the_conflict_stays() {
        let mut outbox = Outbox::default();
        outbox.enqueue(Intent::Clear, T0);
        outbox.record(SendOutcome::Stale(server(2, Some(sample()))), T0);
        assert!(!outbox.conflict.as_ref().unwrap().can_merge());
        assert_eq!(
            outbox.resolve(Resolution::Merge, T0),
            Err(ResolveError::CannotMerge)
        );
        assert!(outbox.conflict.is_some());
        assert_eq!(
            outbox.resolve(Resolution::KeepLocal, T0),
            Ok(LocalChange::Keep)
        );
        assert_eq!(outbox.due(T0).unwrap().intent, Intent::Clear);
    }

    #[test]
    fn merge_keeps_local_items_first_and_adds_the_servers_others() {
        let local = sample();
        let mut theirs = sample();
        theirs.items[0].note = "their note".into();
        theirs.items.push(WorkItem {
            url: "https://linear.app/acme/issue/ENG-7/x".into(),
            canonical_ref: "linear.app/acme/issue/ENG-7".into(),
            title: "ENG-7".into(),
            note: String::new(),
            state: crate::model::ItemState::Waiting,
            handoff_to: None,
        });
        let merged = merge_items(&local, &theirs);
        assert_eq!(merged.items.len(), 2);
        assert_eq!(merged.items[0], local.items[0]);
        assert_eq!(merged.items[1].canonical_ref, "linear.app/acme/issue/ENG-7");
        assert_eq!(merged.headline, local.headline);
    }

    #[test]
    fn merge_stops_where_the_declaration_would_be_too_large() {
        let item = |i: usize| WorkItem {
            url: format!("https://github.com/acme/api/pull/{i}"),
            canonical_ref: format!("github.com/acme/api/pull/{i}"),
            title: "日本語".repeat(66),
            note: "日本語".repeat(166),
            state: crate::model::ItemState::Waiting,
            handoff_to: None,
        };
        let mut local = sample();
        local.items = (0..10).map(item).collect();
        let mut theirs = sample();
        theirs.items = (10..40).map(item).collect();
        let merged = merge_items(&local, &theirs);
        assert_eq!(merged.items[..10], local.items[..]);
        assert!(merged.items.len() > 10 && merged.items.len() < 40);
        assert_eq!(crate::validate::validate_declaration(&merged, None), Ok(()));
        let one_more = merge_items(&merged, &theirs);
        assert_eq!(one_more.items.len(), merged.items.len(), "already full");
    }

    #[test]
    fn stored_outboxes_decode_as_serde_writes_them() {
        use crate::wire::check::round_trips;
        round_trips(&declare());
        round_trips(&Intent::Clear);
        for choice in [
            Resolution::KeepLocal,
            Resolution::KeepServer,
            Resolution::Merge,
        ] {
            round_trips(&choice);
        }
        round_trips(&Outbox::default());
        let conflict = Conflict {
            local: declare(),
            server: MemberState {
                acks: vec![crate::api::Ack {
                    item: None,
                    by: "m_2".into(),
                    at: T0,
                }],
                ..server(4, Some(sample()))
            },
        };
        round_trips(&conflict);
        let full = Outbox {
            pending: Some(Pending {
                intent: Intent::Clear,
                base_version: 4,
                attempts: 2,
                next_attempt_at: T0.plus_ms(4_000),
            }),
            server_version: 4,
            synced_at: Some(T0),
            conflict: Some(Conflict {
                local: Intent::Clear,
                server: server(4, None),
            }),
            error: Some("timezone: unknown zone".into()),
        };
        round_trips(&full);

        assert_eq!(crate::wire::from_str::<Outbox>("{}"), Ok(Outbox::default()));
        assert_eq!(
            crate::wire::from_str::<Intent>(r#"{"declare":{"declaration":{"status":"away","headline":"Lunch","timezone":"UTC"}}}"#)
                .map(|i| matches!(i, Intent::Declare { declaration } if declaration.headline == "Lunch")),
            Ok(true)
        );
        for (bad, path) in [
            (r#""send""#, ""),
            (r#"{"type":"clear"}"#, ""),
            (r#""declare""#, "declare"),
            (r#"{"declare":{}}"#, "declare.declaration"),
            (
                r#"{"declare":{"declaration":{"headline":"x","timezone":"UTC"}}}"#,
                "declare.declaration.status",
            ),
        ] {
            assert!(
                serde_json::from_str::<Intent>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(
                crate::wire::from_str::<Intent>(bad).unwrap_err().path,
                path,
                "{bad}"
            );
        }
        for (bad, path) in [
            (
                r#"{"pending":{"intent":"clear","base_version":1,"attempts":-1,
                    "next_attempt_at":"2026-11-18T11:06:40Z"}}"#,
                "pending.attempts",
            ),
            (
                r#"{"pending":{"intent":"clear","base_version":1,"attempts":0}}"#,
                "pending.next_attempt_at",
            ),
            (r#"{"conflict":{"local":"clear"}}"#, "conflict.server"),
            (
                r#"{"conflict":{"local":"clear","server":{"member_id":"m"}}}"#,
                "conflict.server.version",
            ),
            (r#"{"server_version":"4"}"#, "server_version"),
            (r#"{"synced_at":0}"#, "synced_at"),
        ] {
            assert!(
                serde_json::from_str::<Outbox>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(
                crate::wire::from_str::<Outbox>(bad).unwrap_err().path,
                path,
                "{bad}"
            );
        }
        assert_eq!(
            crate::wire::from_str::<Resolution>(r#""keep_server""#),
            Ok(Resolution::KeepServer)
        );
        assert!(crate::wire::from_str::<Resolution>(r#""keep_both""#).is_err());
    }
}
