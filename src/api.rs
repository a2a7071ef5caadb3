//! Request and response bodies of the team server's HTTP API (v1), shared by `standin-server`
//! and the extension so both sides agree on one definition. Serde only: no I/O here.
//!
//! Versions and cursors:
//! - A member's state has a `version` that the server raises by one on every write (declare or
//!   clear). Version 0 means "never declared". `PUT`/`DELETE /v1/me/state` carry the version
//!   they replace in `If-Match` (`If-Match: 0` for the first declaration); a stale version is
//!   answered 412 with the current [`MemberState`] in [`ApiError::current`].
//! - A team has one change counter, the `cursor`: every write in the team (a declaration, a
//!   clear, an acknowledgement, a join, a profile change, a removal) raises it. It is the ETag of
//!   `GET /v1/team/states` and the `after` of `GET /v1/team/changes`.

use crate::model::{Declaration, DeclaredState, Handles, Member, WorkItem, WorkingHours};
use crate::time::Timestamp;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};

/// Longest long poll the server holds (`wait` of `GET /v1/team/changes`), in seconds. A
/// service worker must see its `fetch` answered within 30 s.
pub const MAX_WAIT_SECONDS: u64 = 25;

/// Every error the server answers, whatever the status code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// A stable machine-readable code, e.g. `validation_failed`, `version_conflict`.
    pub error: String,
    /// A human-readable explanation, safe to show.
    pub message: String,
    /// The offending field's path (`items[2].url`, `timezone`, `after`), when one is to blame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every invalid field of a 422, in field order (the first is `field`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On 412: the state as it is on the server now, so the client can show both copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<MemberState>,
}

/// `POST /v1/join`: redeem an invite code and become a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub invite: String,
    pub display_name: String,
    #[serde(default)]
    pub handles: Handles,
    /// IANA zone, e.g. `Europe/Berlin`.
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
}

/// The answer to a join. The token is shown this once; the server keeps only its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub member: Member,
    pub team: TeamInfo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamInfo {
    pub id: String,
    pub name: String,
}

/// `GET /v1/me`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub member: Member,
    pub team: TeamInfo,
    pub is_admin: bool,
    pub state: MemberState,
}

/// `PATCH /v1/me`: only the fields present change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handles: Option<Handles>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
}

/// `GET /v1/team`: the roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roster {
    pub team: TeamInfo,
    pub members: Vec<Member>,
}

/// One member's current state as the team sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberState {
    pub member_id: String,
    /// The version to send in `If-Match` for the next write (0: never declared).
    pub version: u64,
    /// `None` when never declared or cleared.
    #[serde(default)]
    pub state: Option<DeclaredState>,
    /// Acknowledgements of this declaration's hand-offs, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acks: Vec<Ack>,
}

/// "Acknowledged by Bob 09:12": a hand-off's recipient confirmed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    /// The item's key ([`item_key`]); `None` for the declaration's cover hand-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Member id of who acknowledged.
    pub by: String,
    pub at: Timestamp,
}

/// `GET /v1/team/states`: every member's current declaration (members who never declared or
/// cleared theirs are left out). Its ETag is derived from `cursor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamStates {
    pub team: TeamInfo,
    pub cursor: u64,
    pub states: Vec<MemberState>,
}

/// `GET /v1/team/changes`: everything written after the request's cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesResponse {
    /// Pass as `after` next time.
    pub cursor: u64,
    /// The request's cursor was ahead of the server (a restored database): this answer holds
    /// everything, and the client should replace its cache rather than merge.
    #[serde(default)]
    pub reset: bool,
    /// States written (declared, cleared: `state: null`, or acknowledged) since the cursor.
    pub states: Vec<MemberState>,
    /// Members who joined or changed their profile since the cursor.
    pub members: Vec<Member>,
    /// Ids of members removed since the cursor.
    pub removed_members: Vec<String>,
}

/// `POST /v1/team/acks`: the recipient of a hand-off acknowledges it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// Whose declaration holds the hand-off.
    pub member_id: String,
    /// The item's key ([`item_key`]); absent to acknowledge the declaration's `cover`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// The body of `PUT /v1/me/state` is a [`Declaration`]; re-exported for discoverability.
pub type StateRequest = Declaration;

/// `GET /healthz` and `GET /v1/ping`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}

/// How an item is named in acknowledgements: its canonical reference, or its URL when it has
/// none.
pub fn item_key(item: &WorkItem) -> &str {
    if item.canonical_ref.is_empty() {
        &item.url
    } else {
        &item.canonical_ref
    }
}

/// Whether a free-text person reference (a hand-off's `handoff_to`, a `cover`) names this
/// member: their id, display name or any handle, ignoring case, surrounding space and a
/// leading `@`.
pub fn names_member(reference: &str, member: &Member) -> bool {
    let wanted = reference.trim().trim_start_matches('@');
    if wanted.is_empty() {
        return false;
    }
    let h = &member.handles;
    [
        Some(member.id.as_str()),
        Some(member.display_name.as_str()),
        h.github.as_deref(),
        h.gitlab.as_deref(),
        h.jira.as_deref(),
        h.linear.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|name| name.trim().eq_ignore_ascii_case(wanted))
}

/// OpenAPI schemas of the time types, whose serde forms are hand-written strings.
#[cfg(feature = "openapi")]
mod schemas {
    use crate::time::{LocalTime, Timestamp, Weekday};
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, SchemaType, Type};
    use utoipa::openapi::{KnownFormat, RefOr, Schema};

    impl utoipa::PartialSchema for Timestamp {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("UTC instant, RFC 3339"))
                .into()
        }
    }
    impl utoipa::ToSchema for Timestamp {}

    impl utoipa::PartialSchema for LocalTime {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some("^[0-2][0-9]:[0-5][0-9]$"))
                .description(Some("Wall-clock time of day, HH:MM"))
                .into()
        }
    }
    impl utoipa::ToSchema for LocalTime {}

    impl utoipa::PartialSchema for Weekday {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .enum_values(Some(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))
                .into()
        }
    }
    impl utoipa::ToSchema for Weekday {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bob() -> Member {
        Member {
            id: "m_1".into(),
            display_name: "Bob Stone".into(),
            handles: Handles {
                github: Some("bobs".into()),
                ..Handles::default()
            },
            timezone: "Europe/Berlin".into(),
            working_hours: None,
        }
    }

    #[test]
    fn names_member_matches_id_name_and_handles_loosely() {
        let bob = bob();
        for r in ["m_1", "bob stone", " @BobS ", "Bob Stone"] {
            assert!(names_member(r, &bob), "{r}");
        }
        for r in ["", "@", "bob", "alice"] {
            assert!(!names_member(r, &bob), "{r}");
        }
    }

    #[test]
    fn api_error_omits_empty_parts() {
        let e = ApiError {
            error: "not_found".into(),
            message: "No such member.".into(),
            field: None,
            errors: vec![],
            current: None,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"error":"not_found","message":"No such member."}"#
        );
    }
}
