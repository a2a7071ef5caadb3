//! The popup's form as data: a [`Draft`] holds exactly what the user typed (strings, as the
//! controls give them), survives closing the popup (it roams in `storage.sync`), and becomes a
//! [`Declaration`] only when the user declares. Times in a draft are wall-clock values of the
//! user's zone, as `<input type="datetime-local">` shows them.

use crate::model::{Declaration, ItemState, Member, Status, WorkItem, WorkingHours};
use crate::sites::canonical_item_ref;
use crate::time::{LocalDateTime, LocalTime, Timestamp, ZoneOffsets};
use crate::validate::{validate_declaration, FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// When a declaration stops being current.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    #[default]
    Never,
    EndOfToday,
    OneDay,
    /// The instant in [`Draft::expires_custom`].
    Custom,
}

impl Expiry {
    pub const ALL: [Expiry; 4] = [
        Expiry::Never,
        Expiry::EndOfToday,
        Expiry::OneDay,
        Expiry::Custom,
    ];

    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Expiry::Never => "never",
            Expiry::EndOfToday => "end_of_today",
            Expiry::OneDay => "one_day",
            Expiry::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Expiry::Never => "No expiry",
            Expiry::EndOfToday => "End of today",
            Expiry::OneDay => "In 1 day",
            Expiry::Custom => "Date and time…",
        }
    }

    pub fn parse(s: &str) -> Option<Expiry> {
        Expiry::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// The back-at quick choices beside the date-and-time control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackAtChoice {
    NextWorkingDay,
    Monday,
}

/// One work item as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemDraft {
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub url: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub title: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub note: String,
    pub state: ItemState,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub handoff_to: String,
}

impl Default for ItemDraft {
    fn default() -> Self {
        ItemDraft {
            url: String::new(),
            title: String::new(),
            note: String::new(),
            state: ItemState::InProgress,
            handoff_to: String::new(),
        }
    }
}

/// The whole form as typed. Unknown or missing fields default, so a draft written by another
/// version of the extension (it roams between browsers) still loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub status: Status,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub headline: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub emoji: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub note: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub items: Vec<ItemDraft>,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub blockers: String,
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub cover: String,
    /// A datetime-local value (`2026-11-30T09:00`) in the user's zone, or empty.
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub back_at: String,
    pub expiry: Expiry,
    /// A datetime-local value, used when `expiry` is [`Expiry::Custom`].
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub expires_custom: String,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            status: Status::Online,
            headline: String::new(),
            emoji: String::new(),
            note: String::new(),
            items: Vec::new(),
            blockers: String::new(),
            cover: String::new(),
            back_at: String::new(),
            expiry: Expiry::Never,
            expires_custom: String::new(),
        }
    }
}

/// What turning a draft into a declaration needs to know about the world.
pub struct Context<'a> {
    pub now: Timestamp,
    /// The user's zone (settings, else the browser's): how wall-clock values are read.
    pub zone: &'a dyn ZoneOffsets,
    /// Its IANA name, recorded in the declaration.
    pub zone_name: &'a str,
    /// The team's members when connected: person fields must name one of them, and send their
    /// id. `None` without a team: a name is sent as typed.
    pub roster: Option<&'a [&'a Member]>,
}

/// Which way an item moves in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Draft {
    /// The declaration this draft asks for, validated as the server will (back-at and expiry
    /// ahead of `now`). Every problem comes back with its field path; nothing partial.
    pub fn to_declaration(&self, ctx: &Context<'_>) -> Result<Declaration, ValidationErrors> {
        let mut problems = Vec::new();
        let mut instant = |field: &str, value: &str| -> Option<Timestamp> {
            match LocalDateTime::parse(value) {
                Some(local) => Some(local.to_instant(ctx.zone)),
                None => {
                    problems.push(FieldError {
                        field: field.to_string(),
                        message: "Pick a date and time.".to_string(),
                    });
                    None
                }
            }
        };
        let back_at = match self.back_at.trim() {
            "" => None,
            value => instant("back_at", value),
        };
        let expires_at = match self.expiry {
            Expiry::Never => None,
            Expiry::EndOfToday => Some(end_of_day(ctx.now, ctx.zone)),
            Expiry::OneDay => Some(Timestamp(ctx.now.millis() + DAY_MS)),
            Expiry::Custom => instant("expires_at", self.expires_custom.trim()),
        };
        let mut declaration = Declaration {
            status: self.status,
            headline: self.headline.trim().to_string(),
            emoji: optional(&self.emoji),
            note: self.note.clone(),
            items: self.items.iter().map(ItemDraft::to_work_item).collect(),
            blockers: self.blockers.clone(),
            cover: optional(&self.cover),
            back_at,
            expires_at,
            timezone: ctx.zone_name.to_string(),
        };
        let people = std::iter::once(("cover".to_string(), &mut declaration.cover)).chain(
            declaration
                .items
                .iter_mut()
                .enumerate()
                .map(|(i, item)| (format!("items[{i}].handoff_to"), &mut item.handoff_to)),
        );
        for (field, to) in people {
            match crate::people::reference(to.as_deref().unwrap_or_default(), ctx.roster) {
                Ok(reference) => *to = reference,
                Err(message) => problems.push(FieldError { field, message }),
            }
        }
        if let Err(invalid) = validate_declaration(&declaration, Some(ctx.now)) {
            problems.extend(invalid.0);
        }
        if problems.is_empty() {
            Ok(declaration)
        } else {
            Err(ValidationErrors(problems))
        }
    }

    /// The form for editing a declaration made earlier; its instants as wall-clock values of
    /// `zone`, its expiry as a custom date (it was fixed when declared).
    pub fn from_declaration(d: &Declaration, zone: &dyn ZoneOffsets) -> Draft {
        let local = |at: Timestamp| LocalDateTime::at(at, zone).to_string();
        Draft {
            status: d.status,
            headline: d.headline.clone(),
            emoji: d.emoji.clone().unwrap_or_default(),
            note: d.note.clone(),
            items: d
                .items
                .iter()
                .map(|item| ItemDraft {
                    url: item.url.clone(),
                    title: item.title.clone(),
                    note: item.note.clone(),
                    state: item.state,
                    handoff_to: item.handoff_to.clone().unwrap_or_default(),
                })
                .collect(),
            blockers: d.blockers.clone(),
            cover: d.cover.clone().unwrap_or_default(),
            back_at: d.back_at.map(local).unwrap_or_default(),
            expiry: if d.expires_at.is_some() {
                Expiry::Custom
            } else {
                Expiry::Never
            },
            expires_custom: d.expires_at.map(local).unwrap_or_default(),
        }
    }

    /// Adds a page as a work item, or finds it when the same item (any spelling of its URL)
    /// is listed already. Returns the item's index.
    pub fn add_item(&mut self, url: &str, title: &str) -> usize {
        let wanted = item_ref(url);
        let existing = self
            .items
            .iter()
            .position(|item| wanted.is_some() && item_ref(&item.url) == wanted);
        existing.unwrap_or_else(|| {
            self.items.push(ItemDraft {
                url: url.to_string(),
                title: title.trim().to_string(),
                ..ItemDraft::default()
            });
            self.items.len() - 1
        })
    }

    /// Moves an item one place; returns its new index, or `None` at the end of the list.
    pub fn move_item(&mut self, index: usize, direction: Direction) -> Option<usize> {
        let to = match direction {
            Direction::Up => index.checked_sub(1)?,
            Direction::Down => index + 1,
        };
        if to >= self.items.len() || index >= self.items.len() {
            return None;
        }
        self.items.swap(index, to);
        Some(to)
    }
}

impl ItemDraft {
    fn to_work_item(&self) -> WorkItem {
        let url = self.url.trim();
        WorkItem {
            url: url.to_string(),
            canonical_ref: item_ref(url).unwrap_or_default(),
            title: self.title.trim().to_string(),
            note: self.note.clone(),
            state: self.state,
            handoff_to: optional(&self.handoff_to),
        }
    }
}

/// A single-line optional field: blank means "none".
fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The next local midnight after `now`: the end of the user's today.
pub fn end_of_day(now: Timestamp, zone: &dyn ZoneOffsets) -> Timestamp {
    LocalDateTime {
        date: LocalDateTime::at(now, zone).date.add_days(1),
        time: LocalTime::hm(0, 0),
    }
    .to_instant(zone)
}

/// The datetime-local value a back-at quick choice fills in, from the user's working hours;
/// `None` when they have no working day.
pub fn back_at_choice(
    choice: BackAtChoice,
    now: Timestamp,
    hours: &WorkingHours,
    zone: &dyn ZoneOffsets,
) -> Option<String> {
    let at = match choice {
        BackAtChoice::NextWorkingDay => hours.next_start(now, zone)?,
        BackAtChoice::Monday => hours.next_monday_start(now, zone),
    };
    Some(LocalDateTime::at(at, zone).to_string())
}

/// The instant a datetime-local value names in `zone`, for showing it beside the control.
pub fn local_value_instant(value: &str, zone: &dyn ZoneOffsets) -> Option<Timestamp> {
    LocalDateTime::parse(value.trim()).map(|local| local.to_instant(zone))
}

/// The item a URL names, as the site adapters see it (a PR's files tab is the PR). Self-hosted
/// origins are not known here, so their URLs get the generic reference.
pub(crate) fn item_ref(url: &str) -> Option<String> {
    canonical_item_ref(url, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits;
    use crate::time::FixedOffset;

    const BERLIN_WINTER: FixedOffset = FixedOffset(60);

    use crate::time::rfc3339 as t;

    fn ctx(now: &str) -> Context<'static> {
        Context {
            now: t(now),
            zone: &BERLIN_WINTER,
            zone_name: "Europe/Berlin",
            roster: None,
        }
    }

    fn filled() -> Draft {
        Draft {
            status: Status::Offline,
            headline: "  Handing over the auth work ".into(),
            emoji: "🌙".into(),
            note: "Back tomorrow.\nPing Ana.".into(),
            items: vec![ItemDraft {
                url: " https://github.com/o/r/pull/12/files ".into(),
                title: "Fix login #12".into(),
                note: "Needs one more review".into(),
                state: ItemState::NeedsReview,
                handoff_to: "ana".into(),
            }],
            blockers: "CI is red on main".into(),
            cover: "  ".into(),
            back_at: "2026-11-30T09:00".into(),
            expiry: Expiry::Custom,
            expires_custom: "2026-11-28T18:00".into(),
        }
    }

    fn fields(err: &ValidationErrors) -> Vec<&str> {
        err.0.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_filled_draft_becomes_a_trimmed_declaration() {
        let d = filled()
            .to_declaration(&ctx("2026-11-27T16:42:00Z"))
            .unwrap();
        assert_eq!(d.status, Status::Offline);
        assert_eq!(d.headline, "Handing over the auth work");
        assert_eq!(d.emoji.as_deref(), Some("🌙"));
        assert_eq!(d.cover, None, "blank cover means none");
        assert_eq!(d.items[0].url, "https://github.com/o/r/pull/12/files");
        // The files tab is the same item as the conversation: the site adapter says so.
        assert_eq!(d.items[0].canonical_ref, "github.com/o/r/pull/12");
        assert_eq!(d.items[0].handoff_to.as_deref(), Some("ana"));
        assert_eq!(d.back_at, Some(t("2026-11-30T08:00:00Z")));
        assert_eq!(d.expires_at, Some(t("2026-11-28T17:00:00Z")));
        assert_eq!(d.timezone, "Europe/Berlin");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut draft = filled();
        draft.headline = "x".repeat(limits::HEADLINE.max_graphemes + 1);
        draft.items[0].url = "javascript:alert(1)".into();
        draft.back_at = "2026-11-27T09:00".into();
        draft.expires_custom = "not a date".into();
        let err = draft
            .to_declaration(&ctx("2026-11-27T16:42:00Z"))
            .unwrap_err();
        let mut got = fields(&err);
        got.sort_unstable();
        assert_eq!(
            got,
            ["back_at", "expires_at", "headline", "items[0].url"],
            "{err:?}"
        );
        assert_eq!(
            err.for_field("back_at").unwrap().message,
            "Must be in the future."
        );
        assert_eq!(
            err.for_field("expires_at").unwrap().message,
            "Pick a date and time."
        );
    }

    #[test]
    fn with_a_team_people_are_sent_as_member_ids_and_unknown_names_refused() {
        let member = |id: &str, name: &str| Member {
            id: id.into(),
            display_name: name.into(),
            handles: Default::default(),
            timezone: "UTC".into(),
            working_hours: None,
        };
        let team = [member("m_shun", "Shun Ueda"), member("m_ana", "Ana Lima")];
        let roster: Vec<&Member> = team.iter().collect();
        let with_team = Context {
            roster: Some(&roster),
            ..ctx("2026-11-27T16:42:00Z")
        };
        let mut draft = filled();
        draft.items[0].handoff_to = "Shun".into();
        draft.cover = "m_ana".into();
        let d = draft.to_declaration(&with_team).unwrap();
        assert_eq!(d.items[0].handoff_to.as_deref(), Some("m_shun"));
        assert_eq!(d.cover.as_deref(), Some("m_ana"));
        draft.items[0].handoff_to = "Shu".into();
        draft.cover = "Bob".into();
        let err = draft.to_declaration(&with_team).unwrap_err();
        assert_eq!(fields(&err), ["cover", "items[0].handoff_to"]);
        assert_eq!(
            err.for_field("cover").unwrap().message,
            "No teammate goes by \u{201c}Bob\u{201d}: pick one from the list."
        );
        // Without a team the names go as typed.
        let d = draft.to_declaration(&ctx("2026-11-27T16:42:00Z")).unwrap();
        assert_eq!(d.cover.as_deref(), Some("Bob"));
    }

    #[test]
    fn an_empty_draft_needs_a_headline() {
        let err = Draft::default()
            .to_declaration(&ctx("2026-11-27T16:42:00Z"))
            .unwrap_err();
        assert_eq!(fields(&err), ["headline"]);
    }

    #[test]
    fn expiry_choices_resolve_against_now() {
        let c = ctx("2026-11-27T16:42:00Z");
        let mut draft = filled();
        draft.expiry = Expiry::EndOfToday;
        let end = draft.to_declaration(&c).unwrap().expires_at;
        assert_eq!(end, Some(t("2026-11-27T23:00:00Z")), "Berlin midnight");
        draft.expiry = Expiry::OneDay;
        let day = draft.to_declaration(&c).unwrap().expires_at;
        assert_eq!(day, Some(t("2026-11-28T16:42:00Z")));
        draft.expiry = Expiry::Never;
        assert_eq!(draft.to_declaration(&c).unwrap().expires_at, None);
    }

    #[test]
    fn a_declaration_round_trips_through_the_form() {
        let c = ctx("2026-11-27T16:42:00Z");
        let declared = filled().to_declaration(&c).unwrap();
        let again = Draft::from_declaration(&declared, &BERLIN_WINTER);
        assert_eq!(again.back_at, "2026-11-30T09:00");
        assert_eq!(again.expiry, Expiry::Custom);
        assert_eq!(again.expires_custom, "2026-11-28T18:00");
        assert_eq!(again.to_declaration(&c).unwrap(), declared);
    }

    #[test]
    fn adding_the_same_item_twice_finds_it() {
        let mut draft = Draft::default();
        assert_eq!(draft.add_item("https://github.com/o/r/pull/12", " Fix "), 0);
        assert_eq!(draft.items[0].title, "Fix");
        assert_eq!(draft.add_item("https://github.com/o/r/pull/13", ""), 1);
        assert_eq!(
            draft.add_item("https://www.github.com/o/r/pull/12/?tab=x", ""),
            0
        );
        // Pages without a usable URL are never merged with each other.
        assert_eq!(draft.add_item("", ""), 2);
        assert_eq!(draft.add_item("", ""), 3);
    }

    #[test]
    fn items_move_within_bounds() {
        let mut draft = Draft::default();
        for n in 1..=3 {
            draft.add_item(&format!("https://x.test/{n}"), "");
        }
        assert_eq!(draft.move_item(0, Direction::Up), None);
        assert_eq!(draft.move_item(2, Direction::Down), None);
        assert_eq!(draft.move_item(7, Direction::Up), None);
        assert_eq!(draft.move_item(0, Direction::Down), Some(1));
        assert_eq!(draft.items[1].url, "https://x.test/1");
        assert_eq!(draft.move_item(2, Direction::Up), Some(1));
        let urls: Vec<_> = draft.items.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://x.test/2", "https://x.test/3", "https://x.test/1"]
        );
    }

    #[test]
    fn quick_back_at_choices_use_working_hours() {
        let hours = WorkingHours::default(); // Mon–Fri 09:00–17:00
        let friday_evening = t("2026-11-27T16:42:00Z");
        let next = back_at_choice(
            BackAtChoice::NextWorkingDay,
            friday_evening,
            &hours,
            &BERLIN_WINTER,
        );
        assert_eq!(next.as_deref(), Some("2026-11-30T09:00"));
        let tuesday = t("2026-12-01T10:00:00Z");
        let monday = back_at_choice(BackAtChoice::Monday, tuesday, &hours, &BERLIN_WINTER);
        assert_eq!(monday.as_deref(), Some("2026-12-07T09:00"));
        let never = WorkingHours {
            days: vec![],
            ..hours
        };
        let none = back_at_choice(
            BackAtChoice::NextWorkingDay,
            tuesday,
            &never,
            &BERLIN_WINTER,
        );
        assert_eq!(none, None);
    }

    #[test]
    fn stored_drafts_from_other_versions_still_load() {
        let old: Draft = serde_json::from_str(r#"{"headline":"hi","future_field":1}"#).unwrap();
        assert_eq!(old.headline, "hi");
        assert_eq!(old.status, Status::Online);
        let json = serde_json::to_string(&filled()).unwrap();
        assert_eq!(serde_json::from_str::<Draft>(&json).unwrap(), filled());
    }

    #[test]
    fn expiry_form_values_round_trip() {
        for e in Expiry::ALL {
            assert_eq!(Expiry::parse(e.as_str()), Some(e));
        }
        assert_eq!(Expiry::parse("soon"), None);
    }

    #[test]
    fn local_values_name_instants_in_the_zone() {
        assert_eq!(
            local_value_instant("2026-11-30T09:00", &BERLIN_WINTER),
            Some(t("2026-11-30T08:00:00Z"))
        );
        assert_eq!(local_value_instant("", &BERLIN_WINTER), None);
    }

    #[test]
    fn decode_and_encode_match_serde() {
        use crate::wire::check::round_trips;
        round_trips(&filled());
        round_trips(&Draft::default());
        round_trips(&ItemDraft::default());
        for e in Expiry::ALL {
            round_trips(&e);
        }
    }

    #[test]
    fn decoded_drafts_from_other_versions_still_load() {
        let old = crate::wire::from_str::<Draft>(r#"{"headline":"hi","future_field":1}"#).unwrap();
        assert_eq!(
            old,
            Draft {
                headline: "hi".into(),
                ..Draft::default()
            }
        );
        let item =
            crate::wire::from_str::<Draft>(r#"{"items":[{"url":"https://x.test/1","extra":[]}]}"#)
                .unwrap()
                .items;
        assert_eq!(item[0].state, ItemState::InProgress);
        assert_eq!(item[0].url, "https://x.test/1");
        assert_eq!(crate::wire::from_str::<Draft>("{}"), Ok(Draft::default()));
        let e = crate::wire::from_str::<Draft>(r#"{"expiry":"soon"}"#).unwrap_err();
        assert_eq!(e.path, "expiry");
        let e = crate::wire::from_str::<Draft>(r#"{"items":[{},{"state":"stuck"}]}"#).unwrap_err();
        assert_eq!(e.path, "items[1].state");
    }
}
