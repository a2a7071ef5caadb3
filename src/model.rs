//! The declared-state wire model (DESIGN.md §2), shared by the extension and the team server.

use crate::reminder::ReminderSettings;
use crate::time::{LocalDateTime, LocalTime, Timestamp, Weekday, ZoneOffsets};
use serde::{Deserialize, Serialize};

/// What someone declares about their availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Online,
    Focus,
    Away,
    Offline,
    Ooo,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Online,
        Status::Focus,
        Status::Away,
        Status::Offline,
        Status::Ooo,
    ];

    /// The wire name, also used as the form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Online => "online",
            Status::Focus => "focus",
            Status::Away => "away",
            Status::Offline => "offline",
            Status::Ooo => "ooo",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Online => "Online",
            Status::Focus => "Focus",
            Status::Away => "Away",
            Status::Offline => "Offline",
            Status::Ooo => "Out of office",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Where one work item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    InProgress,
    Blocked,
    NeedsReview,
    Waiting,
    Done,
}

impl ItemState {
    pub const ALL: [ItemState; 5] = [
        ItemState::InProgress,
        ItemState::Blocked,
        ItemState::NeedsReview,
        ItemState::Waiting,
        ItemState::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::InProgress => "in_progress",
            ItemState::Blocked => "blocked",
            ItemState::NeedsReview => "needs_review",
            ItemState::Waiting => "waiting",
            ItemState::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemState::InProgress => "In progress",
            ItemState::Blocked => "Blocked",
            ItemState::NeedsReview => "Needs review",
            ItemState::Waiting => "Waiting",
            ItemState::Done => "Done",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        ItemState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A PR, MR, issue or ticket the declarer is working on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub url: String,
    /// The item's identity across its tabs and URL spellings (`github.com/o/r/pull/12`).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub canonical_ref: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub title: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub note: String,
    pub state: ItemState,
    /// A teammate (member id, handle or display name) this item is handed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_to: Option<String>,
}

/// What a person declares: the body of `PUT /v1/me/state` and of the popup's form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declaration {
    pub status: Status,
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub note: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub items: Vec<WorkItem>,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub blockers: String,
    /// Who covers while the declarer is away (member id, handle or display name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The author's IANA zone, so readers see "back 09:00 their time".
    pub timezone: String,
}

impl Declaration {
    /// A declaration with only the required fields; the rest as a JSON body leaving them out
    /// would read.
    pub fn new(status: Status, headline: &str, timezone: &str) -> Declaration {
        Declaration {
            status,
            headline: headline.into(),
            emoji: None,
            note: String::new(),
            items: vec![],
            blockers: String::new(),
            cover: None,
            back_at: None,
            expires_at: None,
            timezone: timezone.into(),
        }
    }
}

/// A declaration once made: stamped with when, and the server's version (0 before the server
/// has accepted it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclaredState {
    pub declaration: Declaration,
    pub declared_at: Timestamp,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub version: u64,
}

impl DeclaredState {
    /// A declaration past its expiry is shown as stale, not as current.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.declaration.expires_at.is_some_and(|at| at <= now)
    }
}

/// A person's names on each tracker, used to find them on pages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handles {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<String>,
    /// Jira Cloud account id or display name (Jira DC: user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jira: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear: Option<String>,
}

/// When someone works, in their own zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingHours {
    pub days: Vec<Weekday>,
    pub start: LocalTime,
    pub end: LocalTime,
}

impl Default for WorkingHours {
    fn default() -> Self {
        const START: LocalTime = LocalTime::hm(9, 0);
        const END: LocalTime = LocalTime::hm(17, 0);
        WorkingHours {
            days: Weekday::ALL[..5].to_vec(),
            start: START,
            end: END,
        }
    }
}

impl WorkingHours {
    pub fn is_working_day(&self, day: Weekday) -> bool {
        self.days.contains(&day)
    }

    /// The first working-day start strictly after `now`, for "back next working day".
    pub fn next_start(&self, now: Timestamp, zone: &dyn ZoneOffsets) -> Option<Timestamp> {
        let today = LocalDateTime::at(now, zone).date;
        (0..=7)
            .map(|d| today.add_days(d))
            .filter(|date| self.is_working_day(date.weekday()))
            .map(|date| {
                LocalDateTime {
                    date,
                    time: self.start,
                }
                .to_instant(zone)
            })
            .find(|start| *start > now)
    }

    /// Next Monday's start (a week ahead on a Monday), for "back Monday".
    pub fn next_monday_start(&self, now: Timestamp, zone: &dyn ZoneOffsets) -> Timestamp {
        let today = LocalDateTime::at(now, zone).date;
        let ahead = (1..=7)
            .find(|d| today.add_days(*d).weekday() == Weekday::Mon)
            .unwrap_or(7);
        LocalDateTime {
            date: today.add_days(ahead),
            time: self.start,
        }
        .to_instant(zone)
    }
}

/// The user's own settings (options page); roams in `storage.sync`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub display_name: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub handles: Handles,
    /// IANA zone; empty means "the browser's".
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub timezone: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub working_hours: WorkingHours,
    /// The end-of-day reminder; not stored while it has its defaults, so settings saved
    /// before it existed and settings left as they are read the same.
    #[serde(
        default,
        skip_serializing_if = "ReminderSettings::is_default",
        deserialize_with = "crate::wire::nullable"
    )]
    pub reminder: ReminderSettings,
}

/// A team member as the server lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: String,
    pub display_name: String,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub handles: Handles,
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::time::{CivilDate, FixedOffset};

    /// Real zone rules for native tests: chrono-tz behind the same trait the browser implements.
    pub(crate) struct Tz(pub chrono_tz::Tz);

    impl ZoneOffsets for Tz {
        fn offset_minutes(&self, at: Timestamp) -> i32 {
            use chrono::{Offset, TimeZone};
            let utc = chrono::DateTime::from_timestamp_millis(at.millis()).unwrap();
            let local = self.0.from_utc_datetime(&utc.naive_utc());
            local.offset().fix().local_minus_utc() / 60
        }
    }

    use crate::time::rfc3339 as ts;

    pub(crate) fn sample() -> Declaration {
        Declaration {
            status: Status::Offline,
            headline: "Auth refactor half done 🚧".into(),
            emoji: Some("🌙".into()),
            note: "Tests are green\nexcept the flaky one.".into(),
            items: vec![WorkItem {
                url: "https://github.com/acme/api/pull/12".into(),
                canonical_ref: "github.com/acme/api/pull/12".into(),
                title: "Refactor token refresh".into(),
                note: "Needs a second review".into(),
                state: ItemState::NeedsReview,
                handoff_to: Some("bob".into()),
            }],
            blockers: "Waiting on infra for the staging DB".into(),
            cover: Some("alice".into()),
            back_at: Some(ts("2026-11-30T08:00:00Z")),
            expires_at: None,
            timezone: "Europe/Berlin".into(),
        }
    }

    #[test]
    fn declaration_json_round_trip_and_wire_names() {
        let state = DeclaredState {
            declaration: sample(),
            declared_at: ts("2026-11-27T17:42:00Z"),
            version: 3,
        };
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(json["declaration"]["status"], "offline");
        assert_eq!(json["declaration"]["items"][0]["state"], "needs_review");
        assert_eq!(json["declaration"]["back_at"], "2026-11-30T08:00:00Z");
        assert_eq!(json["declared_at"], "2026-11-27T17:42:00Z");
        assert!(json["declaration"].get("expires_at").is_none());
        let back: DeclaredState = serde_json::from_value(json).unwrap();
        assert_eq!(back, state);
    }

    #[test]
    fn unknown_fields_are_ignored_and_bad_enums_rejected() {
        // A newer version's field reads as nothing (the server refuses it: server/src/extract.rs).
        let mut json = serde_json::to_value(sample()).unwrap();
        json["surprise"] = serde_json::json!(1);
        json["items"][0]["owner"] = serde_json::json!("x");
        assert_eq!(
            serde_json::from_value::<Declaration>(json).unwrap(),
            sample()
        );
        let mut json = serde_json::to_value(sample()).unwrap();
        json["status"] = serde_json::json!("asleep");
        assert!(serde_json::from_value::<Declaration>(json).is_err());
        let mut json = serde_json::to_value(sample()).unwrap();
        json["back_at"] = serde_json::json!("tomorrow");
        assert!(serde_json::from_value::<Declaration>(json).is_err());
    }

    #[test]
    fn minimal_declaration_fills_defaults() {
        let d: Declaration =
            serde_json::from_str(r#"{"status":"focus","headline":"Deep work","timezone":"UTC"}"#)
                .unwrap();
        assert_eq!(d.status, Status::Focus);
        assert!(d.items.is_empty() && d.note.is_empty() && d.cover.is_none());
    }

    #[test]
    fn status_and_item_state_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in ItemState::ALL {
            assert_eq!(ItemState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn settings_default_round_trip() {
        let settings: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings.working_hours.start.to_string(), "09:00");
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), settings);
        assert!(json.contains(r#""days":["mon","tue","wed","thu","fri"]"#));
    }

    fn hours() -> WorkingHours {
        WorkingHours::default()
    }

    #[test]
    fn next_start_skips_weekends_in_utc() {
        // Friday 2026-11-27 17:42 UTC → Monday 09:00.
        let next = hours().next_start(ts("2026-11-27T17:42:00Z"), &FixedOffset(0));
        assert_eq!(next, Some(ts("2026-11-30T09:00:00Z")));
        // Before today's start on a working day → today.
        let early = hours().next_start(ts("2026-11-26T07:00:00Z"), &FixedOffset(0));
        assert_eq!(early, Some(ts("2026-11-26T09:00:00Z")));
        let none = WorkingHours {
            days: vec![],
            ..hours()
        };
        assert_eq!(
            none.next_start(ts("2026-11-26T07:00:00Z"), &FixedOffset(0)),
            None
        );
    }

    #[test]
    fn next_start_is_local_across_dst_changes() {
        let cases = [
            // Berlin springs forward on Sunday 2026-03-29: Monday 09:00 is UTC+2.
            (
                chrono_tz::Europe::Berlin,
                "2026-03-27T17:00:00Z",
                "2026-03-30T07:00:00Z",
            ),
            // New York falls back on Sunday 2026-11-01: Monday 09:00 is UTC-5.
            (
                chrono_tz::America::New_York,
                "2026-10-30T21:00:00Z",
                "2026-11-02T14:00:00Z",
            ),
            // Sydney springs forward on Sunday 2026-10-04: Monday 09:00 is UTC+11.
            (
                chrono_tz::Australia::Sydney,
                "2026-10-02T07:00:00Z",
                "2026-10-04T22:00:00Z",
            ),
            // Kolkata has no DST: always UTC+5:30.
            (
                chrono_tz::Asia::Kolkata,
                "2026-11-27T12:00:00Z",
                "2026-11-30T03:30:00Z",
            ),
            // Lord Howe's DST shift is 30 minutes: +10:30 → +11 on Sunday 2026-10-04.
            (
                chrono_tz::Australia::Lord_Howe,
                "2026-10-02T07:00:00Z",
                "2026-10-04T22:00:00Z",
            ),
        ];
        for (zone, now, want) in cases {
            let got = hours().next_start(ts(now), &Tz(zone)).unwrap();
            assert_eq!(got, ts(want), "{zone}");
            let local = crate::time::LocalDateTime::at(got, &Tz(zone));
            assert_eq!(local.time.to_string(), "09:00", "{zone}");
        }
    }

    #[test]
    fn wall_times_in_dst_gaps_and_overlaps() {
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let date = CivilDate::new(2026, 3, 29).unwrap();
        // 02:30 does not exist that night: clocks push it to 03:30 (01:30 UTC).
        let gap = LocalDateTime {
            date,
            time: crate::time::LocalTime::hm(2, 30),
        };
        assert_eq!(gap.to_instant(&berlin), ts("2026-03-29T01:30:00Z"));
        // 02:30 happens twice on 2026-10-25: the earlier one (still UTC+2) is chosen.
        let overlap = LocalDateTime {
            date: CivilDate::new(2026, 10, 25).unwrap(),
            time: crate::time::LocalTime::hm(2, 30),
        };
        assert_eq!(overlap.to_instant(&berlin), ts("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn monday_start_is_next_week_on_monday() {
        let utc = FixedOffset(0);
        // Friday → the coming Monday.
        assert_eq!(
            hours().next_monday_start(ts("2026-11-27T17:00:00Z"), &utc),
            ts("2026-11-30T09:00:00Z")
        );
        // Monday → a week ahead.
        assert_eq!(
            hours().next_monday_start(ts("2026-11-30T07:00:00Z"), &utc),
            ts("2026-12-07T09:00:00Z")
        );
    }

    #[test]
    fn expiry_marks_a_state_stale() {
        let mut state = DeclaredState {
            declaration: sample(),
            declared_at: ts("2026-11-27T17:42:00Z"),
            version: 0,
        };
        assert!(!state.is_expired(ts("2030-01-01T00:00:00Z")));
        state.declaration.expires_at = Some(ts("2026-11-28T00:00:00Z"));
        assert!(!state.is_expired(ts("2026-11-27T23:59:59Z")));
        assert!(state.is_expired(ts("2026-11-28T00:00:00Z")));
    }

    #[test]
    fn decode_and_encode_match_serde() {
        use crate::wire::check::round_trips;
        let mut full = sample();
        full.expires_at = Some(ts("2026-12-01T00:00:00.250Z"));
        let full = DeclaredState {
            declaration: full,
            declared_at: ts("2026-11-27T17:42:00Z"),
            version: 3,
        };
        round_trips(&full);
        let minimal = DeclaredState {
            declaration: Declaration::new(Status::Ooo, "Away", "UTC"),
            declared_at: Timestamp(0),
            version: 0,
        };
        round_trips(&minimal);
        let item = WorkItem {
            url: "https://x.test/1".into(),
            canonical_ref: String::new(),
            title: String::new(),
            note: String::new(),
            state: ItemState::InProgress,
            handoff_to: None,
        };
        round_trips(&item);
        for s in Status::ALL {
            round_trips(&s);
        }
        for s in ItemState::ALL {
            round_trips(&s);
        }
        let handles = Handles {
            github: Some("octocat".into()),
            gitlab: Some("felix.becker".into()),
            jira: Some("5b10ac8d82e05b22cc7d4ef5".into()),
            linear: Some("ana".into()),
        };
        round_trips(&handles);
        round_trips(&Handles::default());
        // A member set after unset ones: no stray comma.
        let night = WorkingHours {
            days: vec![Weekday::Sat, Weekday::Sun],
            start: LocalTime::hm(22, 0),
            end: LocalTime::hm(6, 30),
        };
        round_trips(&night);
        round_trips(&WorkingHours::default());
        let settings = Settings {
            display_name: "Alice".into(),
            handles: handles.clone(),
            timezone: "Europe/Berlin".into(),
            working_hours: night.clone(),
            reminder: ReminderSettings {
                enabled: false,
                lead_minutes: 45,
            },
        };
        round_trips(&settings);
        // The default reminder is left out.
        let quiet = Settings {
            reminder: ReminderSettings::default(),
            ..settings
        };
        assert!(!serde_json::to_string(&quiet).unwrap().contains("reminder"));
        round_trips(&Settings::default());
        let member = Member {
            id: "m1".into(),
            display_name: "Alice".into(),
            handles,
            timezone: "Europe/Berlin".into(),
            working_hours: Some(night),
        };
        round_trips(&member);
        let bare = Member {
            id: "m2".into(),
            display_name: "Bob".into(),
            handles: Handles::default(),
            timezone: "UTC".into(),
            working_hours: None,
        };
        round_trips(&bare);
    }

    #[test]
    fn decode_fills_defaults_and_names_bad_fields() {
        let d = crate::wire::from_str::<Declaration>(
            r#"{"status":"focus","headline":"Deep work","timezone":"UTC"}"#,
        )
        .unwrap();
        assert_eq!(d, Declaration::new(Status::Focus, "Deep work", "UTC"));
        // Unknown members are ignored (serde's deny_unknown_fields is not reproduced).
        let mut json = serde_json::to_value(sample()).unwrap();
        json["surprise"] = serde_json::json!(1);
        assert_eq!(
            crate::wire::from_str::<Declaration>(&json.to_string()),
            Ok(sample())
        );
        let bad = |field: &str, value: serde_json::Value| {
            let mut json = serde_json::to_value(sample()).unwrap();
            json[field] = value;
            crate::wire::from_str::<Declaration>(&json.to_string())
                .unwrap_err()
                .path
        };
        assert_eq!(bad("status", serde_json::json!("asleep")), "status");
        assert_eq!(bad("back_at", serde_json::json!("tomorrow")), "back_at");
        assert_eq!(bad("headline", serde_json::json!(null)), "headline");
        let mut json = serde_json::to_value(sample()).unwrap();
        json["items"][0]["state"] = serde_json::json!("stuck");
        let e = crate::wire::from_str::<Declaration>(&json.to_string()).unwrap_err();
        assert_eq!(e.path, "items[0].state");
        let state = crate::wire::from_str::<DeclaredState>(&format!(
            r#"{{"declaration":{},"declared_at":"2026-11-27T17:42:00Z"}}"#,
            serde_json::to_string(&sample()).unwrap()
        ))
        .unwrap();
        assert_eq!(state.version, 0);
        let e = crate::wire::from_str::<DeclaredState>(r#"{"declared_at":"2026-11-27T17:42:00Z"}"#);
        assert_eq!(e.unwrap_err().path, "declaration");
    }

    #[test]
    fn decode_settings_defaults() {
        let settings = crate::wire::from_str::<Settings>("{}").unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.working_hours.start.to_string(), "09:00");
        assert_eq!(settings.working_hours.days, Weekday::ALL[..5]);
        assert!(settings.reminder.enabled && settings.reminder.lead_minutes == 30);
        // A reminder stored with one member keeps the other's default.
        let s = crate::wire::from_str::<Settings>(
            r#"{"display_name":"A","reminder":{"enabled":false}}"#,
        )
        .unwrap();
        assert_eq!((s.reminder.enabled, s.reminder.lead_minutes), (false, 30));
        // Working hours, once present, need all their members.
        let e = crate::wire::from_str::<Settings>(
            r#"{"working_hours":{"days":["mon"],"start":"09:00"}}"#,
        );
        assert_eq!(e.unwrap_err().path, "working_hours.end");
        let e = crate::wire::from_str::<Settings>(
            r#"{"working_hours":{"days":["monday"],"start":"09:00","end":"17:00"}}"#,
        );
        assert_eq!(e.unwrap_err().path, "working_hours.days[0]");
        let e = crate::wire::from_str::<Member>(
            r#"{"id":"m","display_name":"A","timezone":"UTC","working_hours":{"days":[],"start":"9:00","end":"17:00"}}"#,
        );
        assert_eq!(e.unwrap_err().path, "working_hours.start");
        let e = crate::wire::from_str::<Member>(r#"{"id":"m","timezone":"UTC"}"#);
        assert_eq!(e.unwrap_err().path, "display_name");
    }
}
