//! The background worker's sync rules (DESIGN.md §4), pure: how each server answer is read
//! (publishing → [`SendOutcome`], team fetches → [`Fetched`]), what a hostile answer is
//! (too large, not JSON, wrong types, values no StandIn server sends), how long to wait after
//! a failure, and the status lines the popup and the options page show. The worker
//! (`wasm::sync`) does the I/O and stores what these functions decide.

use crate::api::{ApiError, ChangesResponse, MemberState, Roster, TeamStates};
use crate::connect::{Connection, ServerUrl};
use crate::display::{declared_text, displayed, local_date_time_text, shown, synced_text};
use crate::http::{retry_after_ms, Answer, NetError};
use crate::model::{Declaration, Member, Settings};
use crate::outbox::{Conflict, Intent, Outbox, SendOutcome};
use crate::time::{Timestamp, ZoneOffsets};
use crate::validate::{validate_declaration, validate_settings};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The periodic alarm: the fallback tick that restarts the long poll and retries the outbox
/// when the worker was stopped. 30 s is the shortest period Chrome (120+) honours.
pub const SYNC_ALARM: &str = "team-sync";
pub const SYNC_ALARM_PERIOD_MINUTES: f64 = 0.5;

/// The long poll's `wait`: the server answers within it, and the fetch is given a few seconds
/// more, staying under the 30 s after which Chrome stops a worker whose fetch hangs.
pub const POLL_WAIT_SECONDS: u64 = crate::api::MAX_WAIT_SECONDS;
pub const POLL_TIMEOUT_MS: u32 = 28_000;

/// More members than any team has: a longer list is refused as hostile.
pub const MAX_TEAM_MEMBERS: usize = 10_000;
const MAX_MEMBER_ID_BYTES: usize = 100;

const FIRST_POLL_BACKOFF_MS: i64 = 2_000;
/// Capped below the alarm period, so a server that comes back is noticed within 20 s while
/// the worker runs (and within the next alarm tick after it was stopped).
const MAX_POLL_BACKOFF_MS: i64 = 20_000;

/// Why the extension disconnected itself after a 401.
pub const REVOKED: &str = "the team server no longer accepts this browser (its access was \
                           revoked, or you were removed from the team). Connect again with a \
                           new invite code in StandIn's options.";

/// Why a stored connection can no longer be used: one made before a rule on server addresses
/// (plain `http://` to another computer) would send the token as it is. The worker disconnects
/// with this reason instead of syncing, or of failing without a word.
pub fn unusable_connection(connection: &Connection) -> Option<String> {
    ServerUrl::parse(&connection.server).err().map(|why| {
        format!(
            "the team server's address {} is no longer accepted. {why} Connect again in \
             StandIn's options.",
            connection.server
        )
    })
}

/// What the worker reports about syncing (`store::SYNC_KEY`), for the popup and options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Why the last team fetch failed; `None` after a good one. The team cache then still
    /// holds the last good copy.
    #[serde(default)]
    pub team_problem: Option<String>,
    /// The ETag of the team states the cache holds, for `If-None-Match`.
    #[serde(default)]
    pub states_etag: Option<String>,
    /// Why the worker disconnected by itself (a refused token); cleared by connecting.
    #[serde(default)]
    pub disconnected: Option<String>,
}

/// How one team fetch (`/v1/team/states`, `/v1/team`, `/v1/team/changes`) ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetched<T> {
    Fresh(T),
    /// 304: the cache is current.
    NotModified,
    /// 401: the token is refused; the worker disconnects.
    Unauthorized,
    /// No answer, 408, 429 or 5xx: try again after a while.
    Retry {
        retry_after_ms: Option<i64>,
        problem: String,
    },
    /// An answer StandIn will not use (too large, not JSON, wrong types, implausible values,
    /// an unexpected status). The cache keeps its last good copy.
    Rejected(String),
}

/// Reads a team fetch's answer as `T` and applies `check` to it. `what` names the request
/// in the problem text. Only the read and the check are per type; [`answered`] is not generic.
pub fn fetched<T: DeserializeOwned>(
    what: &str,
    answer: Result<Answer, NetError>,
    check: fn(&T) -> Result<(), String>,
) -> Fetched<T> {
    match answered(what, answer) {
        Fetched::Fresh(answer) => match answer.json::<T>() {
            Ok(value) => match check(&value) {
                Ok(()) => Fetched::Fresh(value),
                Err(why) => Fetched::Rejected(unusable(what, "is implausible", &why)),
            },
            Err(why) => Fetched::Rejected(unusable(what, "is unreadable", &why)),
        },
        Fetched::NotModified => Fetched::NotModified,
        Fetched::Unauthorized => Fetched::Unauthorized,
        Fetched::Retry {
            retry_after_ms,
            problem,
        } => Fetched::Retry {
            retry_after_ms,
            problem,
        },
        Fetched::Rejected(problem) => Fetched::Rejected(problem),
    }
}

/// What a team fetch's status says; `Fresh` holds a 200's answer, still to be read.
fn answered(what: &str, answer: Result<Answer, NetError>) -> Fetched<Answer> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(e @ (NetError::Unreachable(_) | NetError::Timeout)) => {
            return Fetched::Retry {
                retry_after_ms: None,
                problem: format!("cannot reach the server: {e}"),
            }
        }
        Err(e) => return Fetched::Rejected(format!("the server's {what} was refused: {e}")),
    };
    match answer.status {
        200 => Fetched::Fresh(answer),
        304 => Fetched::NotModified,
        401 => Fetched::Unauthorized,
        408 | 429 | 500..=599 => Fetched::Retry {
            retry_after_ms: retry_after_ms(answer.retry_after.as_deref()),
            problem: format!("the server is unavailable (HTTP {})", answer.status),
        },
        status => Fetched::Rejected(format!(
            "unexpected answer to the {what} request (HTTP {status})"
        )),
    }
}

fn unusable(what: &str, how: &str, why: &str) -> String {
    format!("the server's {what} {how}: {why}")
}

/// Reads the answer to `PUT`/`DELETE /v1/me/state`. Only an answer that proves where the write
/// stands ends it: an unreadable success is retried (the retry meets our own write as a 412
/// and counts as delivered, so nothing is stored twice).
pub fn send_outcome(answer: Result<Answer, NetError>) -> SendOutcome {
    let Ok(answer) = answer else {
        return SendOutcome::Transient {
            retry_after_ms: None,
        };
    };
    let retry_after = retry_after_ms(answer.retry_after.as_deref());
    match answer.status {
        200..=299 => match answer.json::<MemberState>() {
            Ok(state) if check_state(&state).is_ok() => SendOutcome::Stored(state),
            _ => SendOutcome::Transient {
                retry_after_ms: retry_after,
            },
        },
        412 => match answer.json::<ApiError>().ok().and_then(|e| e.current) {
            Some(current) if check_state(&current).is_ok() => SendOutcome::Stale(current),
            _ => SendOutcome::Refused {
                message: "the server refused the version without showing its copy".into(),
            },
        },
        401 => SendOutcome::Unauthorized,
        408 | 429 | 500..=599 => SendOutcome::Transient {
            retry_after_ms: retry_after,
        },
        status => SendOutcome::Refused {
            message: refusal(status, answer.json::<ApiError>().ok()),
        },
    }
}

/// The server's own words for a refused write, field by field when it named fields.
fn refusal(status: u16, error: Option<ApiError>) -> String {
    match error {
        Some(e) if !e.errors.is_empty() => e
            .errors
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        Some(e) => match e.field {
            Some(field) => format!("{field}: {}", e.message),
            None => e.message,
        },
        None => format!("the server refused it (HTTP {status})"),
    }
}

/// `GET /v1/team/states`.
pub fn check_states(states: &TeamStates) -> Result<(), String> {
    check_count("states", states.states.len())?;
    states.states.iter().try_for_each(check_state)
}

/// `GET /v1/team`.
pub fn check_roster(roster: &Roster) -> Result<(), String> {
    check_count("members", roster.members.len())?;
    roster.members.iter().try_for_each(check_member)
}

/// `GET /v1/team/changes`.
pub fn check_changes(changes: &ChangesResponse) -> Result<(), String> {
    check_count("states", changes.states.len())?;
    check_count("members", changes.members.len())?;
    check_count("removed_members", changes.removed_members.len())?;
    changes.states.iter().try_for_each(check_state)?;
    changes.members.iter().try_for_each(check_member)?;
    changes
        .removed_members
        .iter()
        .try_for_each(|id| check_id(id))
}

fn check_count(what: &str, n: usize) -> Result<(), String> {
    if n > MAX_TEAM_MEMBERS {
        return Err(format!("{n} {what}, more than any team has"));
    }
    Ok(())
}

fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= MAX_MEMBER_ID_BYTES
        && id.chars().all(|c| !c.is_control() && !c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err("a member id is empty, too long or not printable".into())
    }
}

/// A state is held to the same limits the server enforced on the write (shape only: an old
/// back-at is not a reason to refuse someone's state), so the popup and the content scripts
/// never render text beyond them.
fn check_state(state: &MemberState) -> Result<(), String> {
    check_id(&state.member_id)?;
    // One recipient per hand-off at most: the cover and each item.
    if state.recipients.len() > crate::limits::MAX_ITEMS + 1 {
        return Err(format!(
            "the state of {}: too many hand-offs",
            state.member_id
        ));
    }
    state
        .recipients
        .iter()
        .try_for_each(|r| check_id(&r.member))?;
    match &state.state {
        Some(declared) => validate_declaration(&declared.declaration, None)
            .map_err(|e| format!("the state of {}: {e}", state.member_id)),
        None => Ok(()),
    }
}

/// A member is held to the rules the server applied when they joined.
fn check_member(member: &Member) -> Result<(), String> {
    check_id(&member.id)?;
    let profile = Settings {
        display_name: member.display_name.clone(),
        handles: member.handles.clone(),
        timezone: member.timezone.clone(),
        working_hours: member.working_hours.clone().unwrap_or_default(),
        ..Settings::default()
    };
    validate_settings(&profile).map_err(|e| format!("member {}: {e}", member.id))
}

/// The wait before the next team fetch after `failures` failed ones: 2 s doubling to 20 s.
pub fn poll_backoff_ms(failures: u32) -> i64 {
    FIRST_POLL_BACKOFF_MS
        .saturating_mul(1_i64 << failures.saturating_sub(1).min(20))
        .min(MAX_POLL_BACKOFF_MS)
}

/// The popup's sync line beside "Declared 17:42", and whether it reports a problem. `None`
/// when there is nothing to say (never connected, or connected with nothing published yet).
pub fn sync_line(
    connected: bool,
    status: &SyncStatus,
    outbox: &Outbox,
    now: Timestamp,
    zone: &dyn ZoneOffsets,
) -> Option<(String, bool)> {
    if !connected {
        return status
            .disconnected
            .as_ref()
            .map(|why| (format!("Disconnected: {why}"), true));
    }
    if outbox.conflict.is_some() {
        return Some((
            "Changed in another browser: choose which version to keep.".into(),
            true,
        ));
    }
    if let Some(error) = &outbox.error {
        return Some((format!("Not synced: {error}"), true));
    }
    if outbox.pending.is_some() {
        return Some(("Waiting to sync".into(), false));
    }
    outbox
        .synced_at
        .map(|at| (synced_text(at, now, zone), false))
}

/// The Team view's heading line, and whether it reports a problem.
pub fn team_line(connection: Option<&Connection>, status: &SyncStatus) -> (String, bool) {
    match (connection, &status.team_problem) {
        (None, _) => match &status.disconnected {
            Some(why) => (format!("Disconnected: {why}"), true),
            None => (
                "Not connected to a team: join one in StandIn's options.".into(),
                false,
            ),
        },
        (Some(c), Some(problem)) => (
            format!(
                "{}: not updated ({problem}); showing the last good copy.",
                shown(&c.team.name)
            ),
            true,
        ),
        (Some(c), None) => (shown(&c.team.name), false),
    }
}

/// The two sides of a conflict as the popup shows them: a heading and the lines of each.
pub fn conflict_sides(
    conflict: &Conflict,
    now: Timestamp,
    zone: &dyn ZoneOffsets,
) -> [(String, Vec<String>); 2] {
    let local = match &conflict.local {
        Intent::Declare { declaration } => declaration_lines(declaration, zone),
        Intent::Clear => vec![CLEARED.into()],
    };
    let server_heading = match &conflict.server.state {
        Some(state) => format!(
            "On the server ({})",
            declared_text(state.declared_at, now, zone)
        ),
        None => "On the server".into(),
    };
    let server = match &conflict.server.state {
        Some(state) => declaration_lines(&state.declaration, zone),
        None => vec![CLEARED.into()],
    };
    [("In this browser".into(), local), (server_heading, server)]
}

const CLEARED: &str = "No declaration (cleared)";

/// A declaration in a few lines: status and headline, each item, then what else is set.
pub fn declaration_lines(d: &Declaration, zone: &dyn ZoneOffsets) -> Vec<String> {
    let d = &displayed(d);
    let emoji = d
        .emoji
        .as_deref()
        .map(|e| format!("{e} "))
        .unwrap_or_default();
    let mut lines = vec![format!("{}: {emoji}{}", d.status.label(), d.headline)];
    for item in &d.items {
        let name = if item.title.trim().is_empty() {
            &item.url
        } else {
            &item.title
        };
        lines.push(format!("• {name} ({})", item.state.label()));
    }
    for (label, text) in [("Note", &d.note), ("Blockers", &d.blockers)] {
        if !text.trim().is_empty() {
            lines.push(format!("{label}: {text}"));
        }
    }
    if let Some(cover) = &d.cover {
        lines.push(format!("Cover: {cover}"));
    }
    if let Some(at) = d.back_at {
        lines.push(format!("Back {}", local_date_time_text(at, zone)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TeamInfo;
    use crate::http::tests::answer;
    use crate::model::tests::sample;
    use crate::model::{DeclaredState, Handles, Status};
    use crate::time::FixedOffset;

    const NOW: Timestamp = Timestamp(1_795_000_000_000); // 2026-11-18T11:06:40Z

    fn state_json(version: u64, headline: &str) -> String {
        format!(
            r#"{{"member_id":"m_1","version":{version},"state":{{"declaration":
            {{"status":"away","headline":"{headline}","timezone":"UTC"}},
            "declared_at":"2026-11-18T10:00:00Z","version":{version}}}}}"#
        )
    }

    #[test]
    fn publishing_answers_become_send_outcomes() {
        match send_outcome(answer(200, &state_json(1, "Lunch"))) {
            SendOutcome::Stored(state) => assert_eq!(state.version, 1),
            other => panic!("{other:?}"),
        }
        let stale = format!(
            r#"{{"error":"version_conflict","message":"m","current":{}}}"#,
            state_json(4, "From the laptop")
        );
        match send_outcome(answer(412, &stale)) {
            SendOutcome::Stale(current) => assert_eq!(current.version, 4),
            other => panic!("{other:?}"),
        }
        assert_eq!(send_outcome(answer(401, "")), SendOutcome::Unauthorized);
        let mut busy = answer(429, "").unwrap();
        busy.retry_after = Some("7".into());
        assert_eq!(
            send_outcome(Ok(busy)),
            SendOutcome::Transient {
                retry_after_ms: Some(7_000)
            }
        );
        for transient in [
            answer(503, "<html>down</html>"),
            // A success we cannot read: the retry will tell (412 with our own copy).
            answer(200, "<html>ok</html>"),
            answer(200, r#"{"member_id":"","version":1}"#),
            Err(NetError::Timeout),
            Err(NetError::Unreachable("reset".into())),
            Err(NetError::TooLarge),
        ] {
            assert_eq!(
                send_outcome(transient),
                SendOutcome::Transient {
                    retry_after_ms: None
                }
            );
        }
    }

    #[test]
    fn refusals_carry_the_servers_words() {
        let invalid = r#"{"error":"validation_failed","message":"m","field":"back_at",
            "errors":[{"field":"back_at","message":"Must be in the future."},
                      {"field":"headline","message":"Required."}]}"#;
        assert_eq!(
            send_outcome(answer(422, invalid)),
            SendOutcome::Refused {
                message: "back_at: Must be in the future.; headline: Required.".into()
            }
        );
        let one = r#"{"error":"payload_too_large","message":"Request body over 64 KiB."}"#;
        assert_eq!(
            send_outcome(answer(413, one)),
            SendOutcome::Refused {
                message: "Request body over 64 KiB.".into()
            }
        );
        assert_eq!(
            send_outcome(answer(404, "nope")),
            SendOutcome::Refused {
                message: "the server refused it (HTTP 404)".into()
            }
        );
        // A 412 that does not show the server's copy cannot be resolved by the user.
        assert!(matches!(
            send_outcome(answer(412, r#"{"error":"x","message":"y"}"#)),
            SendOutcome::Refused { .. }
        ));
    }

    const STATES: &str = r#"{"team":{"id":"t","name":"Core"},"cursor":3,"states":[]}"#;

    fn states(body: &str) -> Fetched<TeamStates> {
        fetched("team states", answer(200, body), check_states)
    }

    #[test]
    fn team_fetches_are_read_or_rejected() {
        assert!(matches!(states(STATES), Fetched::Fresh(s) if s.cursor == 3));
        let not_modified = fetched::<TeamStates>("team states", answer(304, ""), check_states);
        assert_eq!(not_modified, Fetched::NotModified);
        let revoked = fetched::<TeamStates>("team states", answer(401, ""), check_states);
        assert_eq!(revoked, Fetched::Unauthorized);
        let down = fetched::<TeamStates>("team states", answer(502, ""), check_states);
        assert!(matches!(down, Fetched::Retry { .. }));
        let offline = fetched::<TeamStates>(
            "team states",
            Err(NetError::Unreachable("refused".into())),
            check_states,
        );
        assert!(matches!(offline, Fetched::Retry { problem, .. } if problem.contains("refused")));
    }

    #[test]
    fn hostile_team_answers_are_rejected_with_a_reason() {
        let rejected = |f: Fetched<TeamStates>| match f {
            Fetched::Rejected(why) => why,
            other => panic!("not rejected: {other:?}"),
        };
        assert!(rejected(states("<html>hi</html>")).contains("unreadable"));
        assert!(rejected(states(
            r#"{"team":{"id":"t","name":"C"},"cursor":"3","states":[]}"#
        ))
        .contains("unreadable"));
        assert!(rejected(states(
            r#"{"team":{"id":"t","name":"C"},"cursor":3,"states":{}}"#
        ))
        .contains("unreadable"));
        let too_long = "x".repeat(500);
        let body = format!(
            r#"{{"team":{{"id":"t","name":"C"}},"cursor":3,"states":[{}]}}"#,
            state_json(1, &too_long)
        );
        assert!(rejected(states(&body)).contains("implausible"));
        let bad_id =
            r#"{"team":{"id":"t","name":"C"},"cursor":3,"states":[{"member_id":"","version":0}]}"#;
        assert!(rejected(states(bad_id)).contains("member id"));
        let huge = fetched::<TeamStates>("team states", Err(NetError::TooLarge), check_states);
        assert!(rejected(huge).contains("larger than 2 MiB"));
        let teapot = fetched::<TeamStates>("team states", answer(418, STATES), check_states);
        assert!(rejected(teapot).contains("HTTP 418"));
    }

    fn member(id: &str, name: &str) -> Member {
        Member {
            id: id.into(),
            display_name: name.into(),
            handles: Handles::default(),
            timezone: "Europe/Berlin".into(),
            working_hours: None,
        }
    }

    #[test]
    fn rosters_and_changes_are_held_to_the_join_rules() {
        let roster = |members| Roster {
            team: TeamInfo {
                id: "t".into(),
                name: "Core".into(),
            },
            members,
        };
        assert_eq!(check_roster(&roster(vec![member("m_1", "Ann")])), Ok(()));
        assert!(check_roster(&roster(vec![member("m_1", "")])).is_err());
        assert!(check_roster(&roster(vec![member("m 1", "Ann")])).is_err());
        let mut bad_zone = member("m_1", "Ann");
        bad_zone.timezone = "<script>".into();
        assert!(check_roster(&roster(vec![bad_zone])).is_err());
        let crowd = vec![member("m_1", "Ann"); MAX_TEAM_MEMBERS + 1];
        assert!(check_roster(&roster(crowd))
            .unwrap_err()
            .contains("more than any team"));

        let changes = ChangesResponse {
            cursor: 9,
            reset: false,
            states: vec![],
            members: vec![member("m_2", "Bo")],
            removed_members: vec!["m_3".into()],
        };
        assert_eq!(check_changes(&changes), Ok(()));
        let removed_blank = ChangesResponse {
            removed_members: vec![String::new()],
            ..changes
        };
        assert!(check_changes(&removed_blank).is_err());
    }

    #[test]
    fn polling_backs_off_to_twenty_seconds() {
        let waits: Vec<i64> = (1..=6).map(poll_backoff_ms).collect();
        assert_eq!(waits, [2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
        assert_eq!(poll_backoff_ms(0), 2_000);
        assert_eq!(poll_backoff_ms(u32::MAX), 20_000);
    }

    #[test]
    fn the_sync_line_says_where_the_declaration_stands() {
        let utc = FixedOffset(0);
        let status = SyncStatus::default();
        let mut outbox = Outbox::default();
        let line = |connected, status: &SyncStatus, outbox: &Outbox| {
            sync_line(connected, status, outbox, NOW, &utc)
        };
        assert_eq!(line(false, &status, &outbox), None);
        assert_eq!(line(true, &status, &outbox), None);
        outbox.enqueue(Intent::Clear, NOW);
        assert_eq!(
            line(true, &status, &outbox),
            Some(("Waiting to sync".into(), false))
        );
        let pending = outbox.pending.clone().unwrap();
        outbox.record_sent(&pending, SendOutcome::Stored(empty_state(1)), NOW);
        assert_eq!(
            line(true, &status, &outbox),
            Some(("Synced 11:06".into(), false))
        );
        outbox.error = Some("headline: Required.".into());
        assert_eq!(
            line(true, &status, &outbox),
            Some(("Not synced: headline: Required.".into(), true))
        );
        let revoked = SyncStatus {
            disconnected: Some(REVOKED.into()),
            ..SyncStatus::default()
        };
        let (text, problem) = line(false, &revoked, &outbox).unwrap();
        assert!(problem && text.starts_with("Disconnected: the team server no longer accepts"));
    }

    fn empty_state(version: u64) -> MemberState {
        MemberState {
            member_id: "m_1".into(),
            version,
            state: None,
            acks: vec![],
            recipients: vec![],
        }
    }

    #[test]
    fn a_stored_plain_http_connection_to_another_computer_is_unusable() {
        let connection = |server: &str| Connection {
            server: server.into(),
            team: TeamInfo {
                id: "t".into(),
                name: "Core".into(),
            },
            member: member("m_1", "Ann"),
            connected_at: NOW,
        };
        for usable in [
            "https://x.example",
            "http://127.0.0.1:8787",
            "http://localhost",
        ] {
            assert_eq!(unusable_connection(&connection(usable)), None, "{usable}");
        }
        let why = unusable_connection(&connection("http://standin.corp.example")).unwrap();
        assert!(why.contains("http://standin.corp.example"), "{why}");
        assert!(why.contains("unencrypted"), "{why}");
    }

    #[test]
    fn the_team_line_names_the_team_or_the_problem() {
        let connection = Connection {
            server: "https://x.example".into(),
            team: TeamInfo {
                id: "t".into(),
                name: "Core".into(),
            },
            member: member("m_1", "Ann"),
            connected_at: NOW,
        };
        let mut status = SyncStatus::default();
        assert_eq!(
            team_line(Some(&connection), &status),
            ("Core".into(), false)
        );
        status.team_problem = Some("the server's team states is unreadable: x".into());
        let (text, problem) = team_line(Some(&connection), &status);
        assert!(
            problem && text.ends_with("showing the last good copy."),
            "{text}"
        );
        let (text, problem) = team_line(None, &SyncStatus::default());
        assert!(!problem && text.starts_with("Not connected"));
    }

    #[test]
    fn conflict_sides_show_both_versions() {
        let mut theirs = sample();
        theirs.status = Status::Ooo;
        theirs.headline = "Flying".into();
        theirs.emoji = None;
        theirs.back_at = Some(Timestamp::parse_rfc3339("2026-11-23T08:00:00Z").unwrap());
        let conflict = Conflict {
            local: Intent::Declare {
                declaration: Box::new(sample()),
            },
            server: MemberState {
                member_id: "m_1".into(),
                version: 4,
                state: Some(DeclaredState {
                    declaration: theirs,
                    declared_at: NOW.plus_minutes(-5),
                    version: 4,
                }),
                acks: vec![],
                recipients: vec![],
            },
        };
        let [(local_heading, local), (server_heading, server)] =
            conflict_sides(&conflict, NOW, &FixedOffset(60));
        assert_eq!(local_heading, "In this browser");
        assert_eq!(local[0], format!("Offline: 🌙 {}", sample().headline));
        assert!(local.iter().any(|l| l.starts_with("• ")));
        assert_eq!(server_heading, "On the server (Declared 12:01)");
        assert_eq!(server[0], "Out of office: Flying");
        assert_eq!(server.last().unwrap(), "Back Mon 23 Nov, 09:00");
        let cleared = Conflict {
            local: Intent::Clear,
            ..conflict
        };
        assert_eq!(
            conflict_sides(&cleared, NOW, &FixedOffset(0))[0].1,
            [CLEARED]
        );
    }

    #[test]
    fn sync_status_decodes_as_serde_writes_it() {
        use crate::wire::check::round_trips;
        let full = SyncStatus {
            team_problem: Some("the server is unavailable (HTTP 503)".into()),
            states_etag: Some("\"c-9\"".into()),
            disconnected: Some(REVOKED.into()),
        };
        for status in [SyncStatus::default(), full] {
            round_trips(&status);
        }
        assert_eq!(
            crate::wire::from_str::<SyncStatus>("{}"),
            Ok(SyncStatus::default())
        );
        assert_eq!(
            crate::wire::from_str::<SyncStatus>(r#"{"states_etag":"\"c-3\"","later":true}"#),
            Ok(SyncStatus {
                states_etag: Some("\"c-3\"".into()),
                ..SyncStatus::default()
            })
        );
        for (bad, path) in [
            (r#"{"team_problem":3}"#, "team_problem"),
            (r#"{"disconnected":["x"]}"#, "disconnected"),
            (r#""synced""#, ""),
        ] {
            assert!(
                serde_json::from_str::<SyncStatus>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(
                crate::wire::from_str::<SyncStatus>(bad).unwrap_err().path,
                path
            );
        }
    }
}
