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
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::nullable"
    )]
    pub errors: Vec<FieldError>,
    /// On 412: the state as it is on the server now, so the client can show both copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<MemberState>,
}

/// `POST /v1/join`: redeem an invite code and become a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinRequest {
    pub invite: String,
    pub display_name: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
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
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::nullable"
    )]
    pub acks: Vec<Ack>,
    /// Whom the server found each hand-off (the cover, items' `handoff_to`) to name when the
    /// declaration was written; a reference naming no one (or not one) is absent. Only this
    /// member may acknowledge it, and a later rename does not move it.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::nullable"
    )]
    pub recipients: Vec<Recipient>,
}

impl MemberState {
    /// The member a hand-off (`item` key, `None` for the cover) was resolved to.
    pub fn recipient(&self, item: Option<&str>) -> Option<&str> {
        self.recipients
            .iter()
            .find(|r| r.item.as_deref() == item)
            .map(|r| r.member.as_str())
    }
}

/// One hand-off of a declaration resolved to a member id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recipient {
    /// The item's key ([`item_key`]); `None` for the declaration's cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Member id of whom it is handed to.
    pub member: String,
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
    #[serde(default, deserialize_with = "crate::wire::nullable")]
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

/// How a person's name is compared: surrounding space and leading `@`s dropped, runs of white
/// space as one space, lower case. Two names with one key are the same name, so no two members
/// of a team may hold one key (see the server's `claims`).
pub fn name_key(name: &str) -> String {
    let words: Vec<&str> = name
        .trim()
        .trim_start_matches('@')
        .split_whitespace()
        .collect();
    crate::text::lowercase(&words.join(" "))
}

/// Every name a member goes by: the display name, then each handle.
pub fn names(m: &Member) -> impl Iterator<Item = &str> {
    let h = &m.handles;
    [
        Some(m.display_name.as_str()),
        h.github.as_deref(),
        h.gitlab.as_deref(),
        h.jira.as_deref(),
        h.linear.as_deref(),
    ]
    .into_iter()
    .flatten()
}

/// The one member a free-text person reference (a hand-off's `handoff_to`, a `cover`) names:
/// by member id first (ids are the server's, never claimed), else the only member with that
/// display name or handle. A reference that fits several members names no one.
pub fn resolve<'m>(reference: &str, members: &[&'m Member]) -> Option<&'m Member> {
    let wanted = name_key(reference);
    if wanted.is_empty() {
        return None;
    }
    if let Some(m) = members.iter().find(|m| name_key(&m.id) == wanted) {
        return Some(m);
    }
    let mut named = members
        .iter()
        .filter(|m| names(m).any(|name| name_key(name) == wanted));
    match (named.next(), named.next()) {
        (Some(m), None) => Some(m),
        _ => None,
    }
}

/// A declaration's hand-offs (the cover, then each item's `handoff_to`) resolved against the
/// team's members; references that name no one are left out.
pub fn recipients(declaration: &Declaration, members: &[&Member]) -> Vec<Recipient> {
    let cover = declaration.cover.as_deref().map(|to| (None, to));
    let items = declaration
        .items
        .iter()
        .filter_map(|i| Some((Some(item_key(i)), i.handoff_to.as_deref()?)));
    cover
        .into_iter()
        .chain(items)
        .filter_map(|(item, to)| {
            Some(Recipient {
                item: item.map(str::to_owned),
                member: resolve(to, members)?.id.clone(),
            })
        })
        .collect()
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
    fn references_resolve_by_id_name_and_handles_loosely() {
        let bob = bob();
        let id = |r: &str, members: &[&Member]| resolve(r, members).map(|m| m.id.clone());
        for r in [
            "m_1",
            "M_1",
            "bob stone",
            " @BobS ",
            "Bob   Stone",
            "BOB STONE",
        ] {
            assert_eq!(id(r, &[&bob]).as_deref(), Some("m_1"), "{r}");
        }
        for r in ["", "@", "bob", "alice"] {
            assert_eq!(id(r, &[&bob]), None, "{r}");
        }
        assert_eq!(name_key("  @Zoë   Ünal "), "zoë ünal");
    }

    #[test]
    fn a_reference_naming_two_members_names_no_one_but_ids_always_win() {
        let bob = bob();
        // Mal's GitLab login is Bob's GitHub login; her display name is Bob's id.
        let mal = Member {
            id: "m_2".into(),
            display_name: "m_1".into(),
            handles: Handles {
                gitlab: Some("BobS".into()),
                ..Handles::default()
            },
            ..bob.clone()
        };
        for members in [[&bob, &mal], [&mal, &bob]] {
            assert_eq!(resolve("bobs", &members), None);
            assert_eq!(resolve("m_1", &members).map(|m| m.id.as_str()), Some("m_1"));
            assert_eq!(resolve("m_2", &members).map(|m| m.id.as_str()), Some("m_2"));
            assert_eq!(
                resolve("Bob Stone", &members).map(|m| m.id.as_str()),
                Some("m_1")
            );
        }
        let mut d = crate::model::tests::sample();
        d.cover = Some("bobs".into());
        d.items[0].handoff_to = Some("bob stone".into());
        assert_eq!(
            recipients(&d, &[&bob, &mal]),
            [Recipient {
                item: Some(item_key(&d.items[0]).to_owned()),
                member: "m_1".into()
            }]
        );
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

    const T: Timestamp = Timestamp(1_795_000_000_000);

    fn team() -> TeamInfo {
        TeamInfo {
            id: "t".into(),
            name: "Core".into(),
        }
    }

    fn full_state() -> MemberState {
        MemberState {
            member_id: "m_1".into(),
            version: 3,
            state: Some(DeclaredState {
                declaration: crate::model::tests::sample(),
                declared_at: T,
                version: 3,
            }),
            acks: vec![
                Ack {
                    item: Some("github.com/acme/api/pull/12".into()),
                    by: "m_2".into(),
                    at: T,
                },
                Ack {
                    item: None,
                    by: "m_3".into(),
                    at: T.plus_ms(1),
                },
            ],
            recipients: vec![
                Recipient {
                    item: None,
                    member: "m_3".into(),
                },
                Recipient {
                    item: Some("github.com/acme/api/pull/12".into()),
                    member: "m_2".into(),
                },
            ],
        }
    }

    fn empty_state() -> MemberState {
        MemberState {
            member_id: "m_2".into(),
            version: 0,
            state: None,
            acks: vec![],
            recipients: vec![],
        }
    }

    #[test]
    fn server_answers_decode_as_serde_writes_them() {
        use crate::wire::check::round_trips;
        round_trips(&ApiError {
            error: "version_conflict".into(),
            message: "Stale.".into(),
            field: Some("headline".into()),
            errors: vec![FieldError {
                field: "headline".into(),
                message: "Required.".into(),
            }],
            current: Some(full_state()),
        });
        round_trips(&ApiError {
            error: "not_found".into(),
            message: "No such member.".into(),
            field: None,
            errors: vec![],
            current: None,
        });
        round_trips(&JoinResponse {
            token: "tok".into(),
            member: bob(),
            team: team(),
        });
        round_trips(&Roster {
            team: team(),
            members: vec![bob()],
        });
        round_trips(&full_state());
        round_trips(&empty_state());
        round_trips(&TeamStates {
            team: team(),
            cursor: 9,
            states: vec![full_state(), empty_state()],
        });
        round_trips(&ChangesResponse {
            cursor: 10,
            reset: true,
            states: vec![empty_state()],
            members: vec![bob()],
            removed_members: vec!["m_9".into()],
        });
        round_trips(&ChangesResponse {
            cursor: 0,
            reset: false,
            states: vec![],
            members: vec![],
            removed_members: vec![],
        });
        round_trips(&AckRequest {
            member_id: "m_1".into(),
            item: Some("github.com/acme/api/pull/12".into()),
        });
        round_trips(&AckRequest {
            member_id: "m_1".into(),
            item: None,
        });
        round_trips(&Health {
            status: "ok".into(),
        });
    }

    /// Where decoding `text` as `T` failed.
    fn refused<T: serde::de::DeserializeOwned>(text: &str) -> String {
        match crate::wire::from_str::<T>(text) {
            Ok(_) => panic!("{text} decoded"),
            Err(e) => e.path,
        }
    }

    #[test]
    fn server_answers_take_defaults_and_refuse_wrong_shapes() {
        let state =
            crate::wire::from_str::<MemberState>(r#"{"member_id":"m","version":0,"state":null}"#);
        assert_eq!(
            state,
            Ok(MemberState {
                member_id: "m".into(),
                version: 0,
                state: None,
                acks: vec![],
                recipients: vec![],
            })
        );
        let changes = crate::wire::from_str::<ChangesResponse>(
            r#"{"cursor":4,"states":[],"members":[],"removed_members":["m"]}"#,
        )
        .unwrap();
        assert!(!changes.reset);
        let error = crate::wire::from_str::<ApiError>(r#"{"error":"x","message":"y","extra":[1]}"#)
            .unwrap();
        assert_eq!(
            (error.field, error.errors, error.current),
            (None, vec![], None)
        );

        let states = refused::<TeamStates>;
        assert_eq!(
            states(r#"{"team":{"id":"t","name":"C"},"cursor":"3","states":[]}"#),
            "cursor"
        );
        assert_eq!(
            states(r#"{"team":{"id":"t","name":"C"},"cursor":3,"states":{}}"#),
            "states"
        );
        assert_eq!(
            states(r#"{"team":{"id":"t"},"cursor":3,"states":[]}"#),
            "team.name"
        );
        assert_eq!(
            states(
                r#"{"team":{"id":"t","name":"C"},"cursor":3,
                    "states":[{"member_id":"m","version":1,"acks":[{"by":"b"}]}]}"#
            ),
            "states[0].acks[0].at"
        );
        let changes = refused::<ChangesResponse>;
        assert_eq!(
            changes(r#"{"cursor":4,"states":[],"members":[]}"#),
            "removed_members"
        );
        assert_eq!(
            changes(r#"{"cursor":-1,"states":[],"members":[],"removed_members":[]}"#),
            "cursor"
        );
        assert_eq!(refused::<Health>(r#"{"status":true}"#), "status");
        assert_eq!(refused::<AckRequest>(r#"{"item":"x"}"#), "member_id");
        assert_eq!(
            refused::<JoinResponse>(r#"{"token":"t","team":{"id":"t","name":"C"}}"#),
            "member"
        );
    }
}
