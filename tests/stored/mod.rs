//! Values as the extension stores them, one per storage key, and the JSON files under
//! `tests/fixtures/storage/` that hold them as the build before serde-everywhere (issue 12)
//! wrote them. Shared by the native test (`tests/stored_formats.rs`) and the browser one
//! (`tests/wasm_roundtrip.rs`): each reads every file with today's code and compares what it
//! read with the value here, so a change of storage format fails both.
#![allow(dead_code)]

use standin::api::{Ack, MemberState, Recipient, TeamInfo};
use standin::connect::Connection;
use standin::draft::{Draft, Expiry, ItemDraft};
use standin::features::activity::ActivityEntry;
use standin::features::banner::Dismissal;
use standin::live::{Checks, Kind, Lifecycle, LiveMap, Observed, Source, Tracked};
use standin::mirror::{Account, EmojiTable, MirrorSettings, Off, Report, Service};
use standin::model::{
    Declaration, DeclaredState, Handles, ItemState, Member, Settings, Status, WorkItem,
    WorkingHours,
};
use standin::outbox::{Conflict, Intent, Outbox, Pending};
use standin::reminder::{ReminderSettings, ReminderState};
use standin::sites::{Origin, Site};
use standin::store::StoredDraft;
use standin::sync::SyncStatus;
use standin::team::TeamCache;
use standin::time::{LocalTime, Timestamp, Weekday};

/// What a test does with one stored value: `file` under `tests/fixtures/storage/`, its text,
/// and the value it holds.
pub trait Check {
    fn check<T>(&mut self, file: &str, json: &str, expected: T)
    where
        T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug;
}

/// Runs `c` over every fixture.
pub fn each(c: &mut impl Check) {
    macro_rules! fixture {
        ($file:literal, $value:expr) => {
            c.check(
                $file,
                include_str!(concat!("../fixtures/storage/", $file)),
                $value,
            )
        };
    }
    fixture!("settings.json", settings());
    fixture!("settings_defaults.json", Settings::default());
    fixture!("draft.json", draft());
    fixture!("state.json", state());
    fixture!(
        "history.json",
        vec![state(), cleared_declaration(), state_minimal()]
    );
    fixture!("outbox_pending.json", outbox_pending());
    fixture!("outbox_conflict.json", outbox_conflict());
    fixture!("outbox_empty.json", Outbox::default());
    fixture!("sync.json", sync_status());
    fixture!("connection.json", connection());
    fixture!("team.json", team());
    fixture!("activity.json", activity());
    fixture!("dismissed_banners.json", dismissed());
    fixture!("origins.json", origins());
    fixture!("reminder.json", reminder());
    fixture!("digest_seen.json", Timestamp(1_795_100_000_250));
    // Written by the build of issues 15 and 16, captured from its e2e runs
    // (tests/e2e/mirror.test.mjs, live.test.mjs); `off` holds one choice added by hand.
    fixture!("mirrors.json", mirrors());
    fixture!("mirror_settings.json", mirror_settings());
    fixture!("live.json", live());
    fixture!("live_due.json", Timestamp(1_796_453_998_436));
}

/// Values as a newer version might store them: members this version does not know (ignored)
/// and `null` for members with a default (read as the default).
pub fn each_newer(c: &mut impl Check) {
    c.check(
        "newer settings",
        r#"{"display_name":"A","pronouns":"she","handles":{"mastodon":"@a","github":null},
            "timezone":null,"working_hours":null,"reminder":{"enabled":false,"sound":true}}"#,
        Settings {
            display_name: "A".into(),
            reminder: ReminderSettings {
                enabled: false,
                ..ReminderSettings::default()
            },
            ..Settings::default()
        },
    );
    c.check(
        "newer draft",
        r#"{"saved_at":"2026-11-27T17:42:00Z","device":"laptop","draft":{"headline":"h",
            "note":null,"mood":"x","items":[{"url":"u","title":null,"priority":3}]}}"#,
        StoredDraft {
            saved_at: Timestamp(1_795_801_320_000),
            draft: Draft {
                headline: "h".into(),
                items: vec![ItemDraft {
                    url: "u".into(),
                    ..ItemDraft::default()
                }],
                ..Draft::default()
            },
        },
    );
    c.check(
        "newer state",
        r#"{"declaration":{"status":"focus","headline":"x","timezone":"UTC","note":null,
            "items":[{"url":"u","state":"done","title":null,"owner":"o"}],"blockers":null,
            "mood":"calm","emoji":null},"declared_at":"1970-01-01T00:00:00Z","version":null,
            "device":"laptop"}"#,
        DeclaredState {
            declaration: Declaration {
                items: vec![WorkItem {
                    url: "u".into(),
                    canonical_ref: String::new(),
                    title: String::new(),
                    note: String::new(),
                    state: ItemState::Done,
                    handoff_to: None,
                }],
                ..Declaration::new(Status::Focus, "x", "UTC")
            },
            declared_at: Timestamp(0),
            version: 0,
        },
    );
    c.check(
        "newer team cache",
        r#"{"team":null,"cursor":null,"states":null,"presence":{},"members":{"m-bob":
            {"id":"m-bob","display_name":"Bob","timezone":"UTC","handles":null,"pronouns":"he"}}}"#,
        TeamCache {
            members: [(
                "m-bob".to_owned(),
                Member {
                    timezone: "UTC".into(),
                    ..member("m-bob", "Bob")
                },
            )]
            .into_iter()
            .collect(),
            ..TeamCache::default()
        },
    );
    c.check(
        "newer outbox",
        r#"{"pending":null,"server_version":null,"conflict":null,"retry_budget":3}"#,
        Outbox::default(),
    );
}

/// Every string a JSON writer must escape, and text beyond the BMP.
pub const ODD_TEXT: &str = "quote \" backslash \\ / \n\t\r\u{1}\u{1f} é 😀 <b>x</b> \u{202e}rtl";

pub fn hours() -> WorkingHours {
    WorkingHours {
        days: vec![Weekday::Mon, Weekday::Wed, Weekday::Sun],
        start: LocalTime::hm(22, 30),
        end: LocalTime::hm(6, 15),
    }
}

pub fn handles() -> Handles {
    Handles {
        github: Some("alice-gh".into()),
        gitlab: None,
        jira: Some("557058:f00".into()),
        linear: Some("alice".into()),
    }
}

pub fn settings() -> Settings {
    Settings {
        display_name: format!("Alice {ODD_TEXT}"),
        handles: handles(),
        timezone: "Australia/Lord_Howe".into(),
        working_hours: hours(),
        reminder: ReminderSettings {
            enabled: false,
            lead_minutes: 45,
        },
    }
}

pub fn draft() -> StoredDraft {
    StoredDraft {
        saved_at: Timestamp(1_795_000_000_007),
        draft: Draft {
            status: Status::Ooo,
            headline: "Out — ask Bob".into(),
            emoji: "🌴".into(),
            note: ODD_TEXT.into(),
            items: vec![
                ItemDraft {
                    url: "https://github.com/o/r/pull/12".into(),
                    title: "Fix it".into(),
                    note: "half done".into(),
                    state: ItemState::Waiting,
                    handoff_to: "bob".into(),
                },
                ItemDraft::default(),
            ],
            blockers: "CI".into(),
            cover: "bob".into(),
            back_at: "2026-12-01T09:00".into(),
            expiry: Expiry::Custom,
            expires_custom: "2026-12-02T09:00".into(),
        },
    }
}

pub fn declaration() -> Declaration {
    Declaration {
        status: Status::Ooo,
        headline: "On leave — ask Bob 🌴".into(),
        emoji: Some("🌴".into()),
        note: ODD_TEXT.into(),
        items: vec![
            WorkItem {
                url: "https://gitlab.com/g/sub/p/-/merge_requests/3".into(),
                canonical_ref: "gitlab.com/g/sub/p/-/merge_requests/3".into(),
                title: "<b>not html</b>".into(),
                note: String::new(),
                state: ItemState::Waiting,
                handoff_to: Some("bob".into()),
            },
            WorkItem {
                url: "https://acme.atlassian.net/browse/KEY-1".into(),
                canonical_ref: "acme.atlassian.net/browse/KEY-1".into(),
                title: String::new(),
                note: "n".into(),
                state: ItemState::Done,
                handoff_to: None,
            },
        ],
        blockers: "waiting on review".into(),
        cover: Some("bob".into()),
        back_at: Some(Timestamp(1_796_000_000_000)),
        expires_at: Some(Timestamp(1_796_000_060_500)),
        timezone: "Asia/Kolkata".into(),
    }
}

pub fn state() -> DeclaredState {
    DeclaredState {
        declaration: declaration(),
        declared_at: Timestamp(1_795_000_000_000),
        version: 7,
    }
}

fn cleared_declaration() -> DeclaredState {
    DeclaredState {
        declaration: Declaration::new(Status::Offline, "Done for today", "UTC"),
        declared_at: Timestamp(1_794_900_000_000),
        version: 6,
    }
}

fn state_minimal() -> DeclaredState {
    DeclaredState {
        declaration: Declaration::new(Status::Focus, "x", "Europe/Berlin"),
        declared_at: Timestamp(-1),
        version: 0,
    }
}

fn member(id: &str, name: &str) -> Member {
    Member {
        id: id.into(),
        display_name: name.into(),
        handles: Handles::default(),
        timezone: "America/New_York".into(),
        working_hours: None,
    }
}

pub fn outbox_pending() -> Outbox {
    Outbox {
        pending: Some(Pending {
            intent: Intent::Declare {
                declaration: Box::new(declaration()),
            },
            base_version: 7,
            attempts: 3,
            next_attempt_at: Timestamp(1_795_000_030_000),
        }),
        server_version: 7,
        synced_at: Some(Timestamp(1_794_999_000_000)),
        conflict: None,
        error: Some("The server refused the headline.".into()),
    }
}

pub fn member_state() -> MemberState {
    MemberState {
        member_id: "m-bob".into(),
        version: 12,
        state: Some(state()),
        acks: vec![
            Ack {
                item: None,
                by: "m-alice".into(),
                at: Timestamp(1_795_000_100_000),
            },
            Ack {
                item: Some("gitlab.com/g/sub/p/-/merge_requests/3".into()),
                by: "m-carol".into(),
                at: Timestamp(1_795_000_200_000),
            },
        ],
        recipients: vec![
            Recipient {
                item: None,
                member: "m-alice".into(),
            },
            Recipient {
                item: Some("gitlab.com/g/sub/p/-/merge_requests/3".into()),
                member: "m-carol".into(),
            },
        ],
    }
}

pub fn outbox_conflict() -> Outbox {
    Outbox {
        pending: Some(Pending {
            intent: Intent::Clear,
            base_version: 3,
            attempts: 0,
            next_attempt_at: Timestamp(0),
        }),
        server_version: 3,
        synced_at: None,
        conflict: Some(Conflict {
            local: Intent::Clear,
            server: MemberState {
                member_id: "m-alice".into(),
                ..member_state()
            },
        }),
        error: None,
    }
}

pub fn sync_status() -> SyncStatus {
    SyncStatus {
        team_problem: Some("The team server did not answer.".into()),
        states_etag: Some("\"v12-3\"".into()),
        disconnected: None,
    }
}

pub fn team_info() -> TeamInfo {
    TeamInfo {
        id: "t-1".into(),
        name: "Follow the sun".into(),
    }
}

pub fn connection() -> Connection {
    Connection {
        server: "https://standin.example.com".into(),
        team: team_info(),
        member: Member {
            handles: handles(),
            working_hours: Some(hours()),
            ..member("m-alice", "Alice")
        },
        connected_at: Timestamp(1_790_000_000_000),
    }
}

pub fn team() -> TeamCache {
    let members = [
        Member {
            handles: handles(),
            working_hours: Some(hours()),
            ..member("m-alice", "Alice")
        },
        member("m-bob", ODD_TEXT),
        member("m-carol", "Carol"),
    ];
    let cleared = MemberState {
        member_id: "m-carol".into(),
        version: 2,
        state: None,
        acks: vec![],
        recipients: vec![],
    };
    TeamCache {
        team: Some(team_info()),
        cursor: 4_503_599_627_370_496,
        members: members.into_iter().map(|m| (m.id.clone(), m)).collect(),
        states: [member_state(), cleared]
            .into_iter()
            .map(|s| (s.member_id.clone(), s))
            .collect(),
    }
}

pub fn activity() -> Vec<ActivityEntry> {
    vec![
        ActivityEntry {
            url: "https://github.com/o/r/pull/12#discussion".into(),
            canonical_ref: "github.com/o/r/pull/12".into(),
            title: "Fix it".into(),
            site: Site::GitHub,
            viewed_at: Timestamp(1_795_000_000_000),
        },
        ActivityEntry {
            url: "https://linear.app/acme/issue/ENG-7".into(),
            canonical_ref: "linear.app/acme/issue/ENG-7".into(),
            title: String::new(),
            site: Site::Linear,
            viewed_at: Timestamp(1_794_000_000_000),
        },
    ]
}

pub fn dismissed() -> Vec<Dismissal> {
    vec![Dismissal {
        item: "acme.atlassian.net/browse/KEY-1".into(),
        at: Timestamp(1_795_000_000_500),
    }]
}

pub fn origins() -> Vec<Origin> {
    vec![
        Origin::new(Site::Jira, "https://jira.corp/jira"),
        Origin::new(Site::GitLab, "http://localhost:8080"),
    ]
}

pub fn reminder() -> ReminderState {
    ReminderState {
        snoozed_until: Some(Timestamp(1_795_000_900_000)),
        skipped_shift: None,
        notified: Some(Timestamp(1_795_000_000_000)),
    }
}

/// Three connected accounts: two mirrored, one retrying after Slack's 429.
pub fn mirrors() -> Vec<Account> {
    let updated = |service, api: &str, login: &str, at| Account {
        report: Some(Report::Updated),
        ..Account::new(service, api.into(), login.into(), Timestamp(at))
    };
    vec![
        updated(
            Service::Github,
            "http://127.0.0.1:38829",
            "octo-alice",
            1_796_453_890_809,
        ),
        updated(
            Service::Gitlab,
            "http://127.0.0.1:34171",
            "alice",
            1_796_453_890_822,
        ),
        Account {
            pending: Some(Intent::Declare {
                declaration: Box::new(Declaration::new(
                    Status::Away,
                    "First-slack-429",
                    "Europe/Berlin",
                )),
            }),
            attempts: 1,
            report: Some(Report::Retrying),
            why: "rate limited".into(),
            ..Account::new(
                Service::Slack,
                "http://127.0.0.1:46725/api".into(),
                "alice".into(),
                Timestamp(1_796_454_490_832),
            )
        },
    ]
}

pub fn mirror_settings() -> MirrorSettings {
    MirrorSettings {
        focus_busy: false,
        emoji: EmojiTable::default(),
        off: vec![Off {
            service: Service::Slack,
            status: Status::Ooo,
        }],
    }
}

/// A pull request Bob first saw open with CI running, then merged by octo-bob.
pub fn live() -> LiveMap {
    let seen = |lifecycle, checks, at| Observed {
        title: Some("Retry <b>exports</b>".into()),
        labels: Some(vec!["flaky".into()]),
        checks: Some(checks),
        assignees: Some(vec!["octo-ann".into()]),
        reviewers: Some(vec![]),
        ..Observed::new(Kind::Change, lifecycle, Source::Github, Timestamp(at))
    };
    let merged = Observed {
        ended_at: Some(Timestamp(1_796_453_882_000)),
        ended_by: Some("octo-bob".into()),
        ..seen(Lifecycle::Merged, Checks::Passing, 1_796_453_938_436)
    };
    LiveMap::from([(
        "m_de08beef9b8d4f46 127.0.0.1:36969/acme/api/pull/12".to_owned(),
        Tracked {
            since: Timestamp(1_796_453_876_727),
            baseline: seen(Lifecycle::Open, Checks::Pending, 1_796_453_877_068),
            current: merged,
        },
    )])
}
