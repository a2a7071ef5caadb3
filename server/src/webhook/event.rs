//! What a webhook reports: one [`Event`], built from a member's state as written, and the
//! same value every format renders (the `json` format sends it as is).

use chrono::TimeZone;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use standin::api::{item_key, MemberState};
use standin::model::{Handles, ItemState, Member, Status};
use standin::sites::Site;
use standin::time::Timestamp;
use utoipa::ToSchema;

/// The payload's version; a receiver checks it before reading the rest. Raised only for a
/// change that breaks a reader (a field removed or its meaning changed), not for a new field.
pub const EVENT_VERSION: u32 = 1;

/// Why the event was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookEventKind)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The member declared themselves offline.
    Offline,
    /// The member declared themselves out of office.
    OutOfOffice,
    /// The member is back: online again, or their declaration cleared.
    Back,
    /// Items (or the cover) were handed to teammates.
    Handoff,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Offline,
        EventKind::OutOfOffice,
        EventKind::Back,
        EventKind::Handoff,
    ];

    /// The wire name (`out_of_office`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Offline => "offline",
            EventKind::OutOfOffice => "out_of_office",
            EventKind::Back => "back",
            EventKind::Handoff => "handoff",
        }
    }
}

/// A team member as an event names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookPerson)]
pub struct Person {
    /// Member id (`m_…`), stable across renames.
    pub id: String,
    pub display_name: String,
    /// Their handles on the trackers, as their profile gives them.
    #[serde(default)]
    pub handles: Handles,
    /// IANA zone of their profile.
    pub timezone: String,
}

impl Person {
    pub fn of(member: &Member) -> Person {
        Person {
            id: member.id.clone(),
            display_name: member.display_name.clone(),
            handles: member.handles.clone(),
            timezone: member.timezone.clone(),
        }
    }
}

/// Whom an item or the cover is handed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookHandedTo)]
pub struct HandedTo {
    /// The name as it reads: the member's display name, or the text declared when it names no
    /// current member.
    pub name: String,
    /// The member the server resolved the hand-off to when it was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Person>,
    /// Their handle on the item's tracker (GitHub, GitLab, Jira, Linear), where their profile
    /// gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// One work item of the declaration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookItem)]
pub struct EventItem {
    pub url: String,
    /// The item's identity however its URL is spelled (`github.com/o/r/pull/12`).
    pub key: String,
    pub title: String,
    pub state: ItemState,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<HandedTo>,
}

/// When the member is back, in UTC and in their zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookBackAt)]
pub struct BackAt {
    pub utc: Timestamp,
    /// The same instant in `timezone`, RFC 3339 with its offset (`2026-12-07T09:00:00+09:00`).
    #[schema(format = DateTime)]
    pub local: String,
    /// The declaration's IANA zone (the member's when it names none the server knows).
    pub timezone: String,
}

/// One thing that happened to a member's declared state, as every format reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = WebhookEvent)]
pub struct Event {
    /// The payload's version, now 1 (`EVENT_VERSION`): it rises only for a change that breaks a
    /// reader, never for a new field.
    #[schema(minimum = 1, maximum = 1)]
    pub version: u32,
    /// Stable for one kind of event at one version of one member's state: a receiver drops
    /// an id it has seen (delivery is at least once).
    #[schema(pattern = "^ev_[0-9a-f]{32}$")]
    pub id: String,
    pub kind: EventKind,
    /// When the state was written.
    pub at: Timestamp,
    pub team_id: String,
    pub member: Person,
    /// The declared status; absent when the declaration was cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    pub note: String,
    /// The declaration's items; for `handoff`, only those newly handed on.
    pub items: Vec<EventItem>,
    pub blockers: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<HandedTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_at: Option<BackAt>,
}

impl Event {
    /// The `kind` event of `member`'s state as just written (`state`, whose `recipients` name
    /// the hand-offs' members), at `at`; `roster` is the team's members. For `handoff`, keep
    /// only the items newly handed on (`event.items.retain(…)`).
    pub fn new(
        kind: EventKind,
        team_id: &str,
        member: &Member,
        state: &MemberState,
        roster: &[Member],
        at: Timestamp,
    ) -> Event {
        let declaration = state.state.as_ref().map(|s| &s.declaration);
        let handed_to = |item: Option<&str>, declared: &str, site: Option<Site>| {
            let to = state
                .recipient(item)
                .and_then(|id| roster.iter().find(|m| m.id == id));
            HandedTo {
                name: to.map_or_else(|| declared.to_owned(), |m| m.display_name.clone()),
                handle: to.zip(site).and_then(|(m, s)| handle_on(&m.handles, s)),
                member: to.map(Person::of),
            }
        };
        let items = declaration.map_or_else(Vec::new, |d| {
            d.items
                .iter()
                .map(|i| {
                    let site = standin::sites::site_for(&i.url, &[]);
                    EventItem {
                        url: i.url.clone(),
                        key: item_key(i).to_owned(),
                        title: i.title.clone(),
                        state: i.state,
                        note: i.note.clone(),
                        handoff: i
                            .handoff_to
                            .as_deref()
                            .map(|to| handed_to(Some(item_key(i)), to, site)),
                    }
                })
                .collect()
        });
        let zone = declaration
            .map(|d| d.timezone.as_str())
            .filter(|z| z.parse::<chrono_tz::Tz>().is_ok())
            .unwrap_or(&member.timezone);
        Event {
            version: EVENT_VERSION,
            id: event_id(team_id, &member.id, state.version, kind),
            kind,
            at,
            team_id: team_id.to_owned(),
            member: Person::of(member),
            status: declaration.map(|d| d.status),
            headline: declaration.map(|d| d.headline.clone()).unwrap_or_default(),
            emoji: declaration.and_then(|d| d.emoji.clone()),
            note: declaration.map(|d| d.note.clone()).unwrap_or_default(),
            items,
            blockers: declaration.map(|d| d.blockers.clone()).unwrap_or_default(),
            cover: declaration
                .and_then(|d| d.cover.as_deref())
                .map(|to| handed_to(None, to, None)),
            back_at: declaration
                .and_then(|d| d.back_at)
                .map(|utc| back_at(utc, zone)),
        }
    }
}

/// `ev_` and 32 hex digits of a hash of what identifies the event, so building it twice (a
/// retried transaction, a redelivery) gives the same id.
fn event_id(team_id: &str, member_id: &str, version: u64, kind: EventKind) -> String {
    let mut hash = Sha256::new();
    for part in [team_id, member_id, &version.to_string(), kind.as_str()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    format!("ev_{}", &crate::token::hex(&hash.finalize())[..32])
}

fn handle_on(handles: &Handles, site: Site) -> Option<String> {
    match site {
        Site::GitHub => handles.github.clone(),
        Site::GitLab => handles.gitlab.clone(),
        Site::Jira => handles.jira.clone(),
        Site::Linear => handles.linear.clone(),
    }
}

/// `utc` in `zone` (UTC when the name is unknown).
pub(crate) fn back_at(utc: Timestamp, zone: &str) -> BackAt {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = tz
        .timestamp_millis_opt(utc.millis())
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default();
    BackAt {
        utc,
        local,
        timezone: tz.name().to_owned(),
    }
}

impl Event {
    /// A made-up event for `webhook test` and the documentation: what a real `out_of_office`
    /// post looks like, with a hand-off and a cover.
    pub fn sample(at: Timestamp) -> Event {
        let person = |id: &str, name: &str, github: &str, zone: &str| Person {
            id: id.into(),
            display_name: name.into(),
            handles: Handles {
                github: Some(github.into()),
                ..Handles::default()
            },
            timezone: zone.into(),
        };
        let bob = person("m_sample_bob", "Bob Stone", "bstone", "America/New_York");
        Event {
            version: EVENT_VERSION,
            // Unique per test, so a receiver that drops seen ids shows each one.
            id: event_id(
                "t_sample",
                "m_sample_ana",
                at.millis().unsigned_abs(),
                EventKind::OutOfOffice,
            ),
            kind: EventKind::OutOfOffice,
            at,
            team_id: "t_sample".into(),
            member: person("m_sample_ana", "Ana Lima", "analima", "Asia/Tokyo"),
            status: Some(Status::Ooo),
            headline: "At a conference until Monday".into(),
            emoji: Some("🌴".into()),
            note: "This is a test message from StandIn.".into(),
            items: vec![EventItem {
                url: "https://github.com/acme/api/pull/42".into(),
                key: "github.com/acme/api/pull/42".into(),
                title: "Rate-limit the export endpoint".into(),
                state: ItemState::NeedsReview,
                note: "CI is green; needs one more review.".into(),
                handoff: Some(HandedTo {
                    name: bob.display_name.clone(),
                    handle: bob.handles.github.clone(),
                    member: Some(bob.clone()),
                }),
            }],
            blockers: String::new(),
            cover: Some(HandedTo {
                name: bob.display_name.clone(),
                handle: None,
                member: Some(bob),
            }),
            back_at: Some(back_at(at.plus_minutes(3 * 24 * 60), "Asia/Tokyo")),
        }
    }
}
