//! Validation of declarations and settings against [`crate::limits`]. Every problem is
//! reported with its field path (`items[2].url`) so the popup can show it beside the field and
//! the server can name it in a 422.

use crate::item_ref::parse_http_url;
use crate::limits::{self, TextLimit};
use crate::model::{Declaration, Handles, Settings, WorkingHours};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field, e.g. `headline` or `items[2].url`.
    pub field: String,
    pub message: String,
}

/// All problems found, in field order; never empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s), first: {}: {}", .0.len(), .0[0].field, .0[0].message)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

#[derive(Default)]
struct Collector(Vec<FieldError>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

impl Collector {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn text(&mut self, field: &str, value: &str, limit: TextLimit, lines: Lines, required: bool) {
        if required && !crate::text::has_visible_text(value) {
            let message = if value.trim().is_empty() {
                "Required."
            } else {
                "Only invisible characters: type some visible text."
            };
            return self.push(field, message);
        }
        let bad_char = value.chars().any(|c| match c {
            '\n' | '\t' => lines == Lines::One,
            c => c.is_control(),
        });
        if bad_char {
            let what = if lines == Lines::One {
                "a single line without control characters"
            } else {
                "plain text without control characters"
            };
            return self.push(field, format!("Must be {what}."));
        }
        let count = crate::text::grapheme_count(value);
        if count > limit.max_graphemes {
            self.push(
                field,
                format!(
                    "At most {} characters ({count} given).",
                    limit.max_graphemes
                ),
            );
        } else if value.len() > limit.max_bytes {
            self.push(
                field,
                format!("Too long (at most {} bytes).", limit.max_bytes),
            );
        }
    }

    fn future(&mut self, field: &str, at: Option<Timestamp>, now: Option<Timestamp>) {
        let (Some(at), Some(now)) = (at, now) else {
            return;
        };
        if at <= now {
            self.push(field, "Must be in the future.");
        } else if at.millis() - now.millis() > limits::MAX_FUTURE_MS {
            self.push(field, "Must be within a year.");
        }
    }

    fn finish(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.0))
        }
    }
}

/// Checks a declaration. With `now`, back-at and expiry must lie ahead of it (the popup and
/// the server at write time); without, only their shape is checked (stored or queued copies).
pub fn validate_declaration(
    d: &Declaration,
    now: Option<Timestamp>,
) -> Result<(), ValidationErrors> {
    let mut c = Collector::default();
    c.text("headline", &d.headline, limits::HEADLINE, Lines::One, true);
    if let Some(emoji) = &d.emoji {
        let symbol = crate::text::grapheme_count(emoji) == 1
            && emoji.len() <= limits::EMOJI.max_bytes
            && crate::text::has_visible_text(emoji)
            && !emoji
                .chars()
                .any(|ch| ch.is_alphanumeric() || ch.is_whitespace() || ch.is_control());
        if !symbol {
            c.push("emoji", "Must be a single emoji.");
        }
    }
    c.text("note", &d.note, limits::NOTE, Lines::Many, false);
    if d.items.len() > limits::MAX_ITEMS {
        c.push("items", format!("At most {} items.", limits::MAX_ITEMS));
    }
    for (i, item) in d.items.iter().enumerate() {
        let path = |f: &str| format!("items[{i}].{f}");
        if parse_http_url(&item.url).is_none() {
            c.push(path("url"), "Must be an http(s) link.");
        }
        if item.canonical_ref.len() > limits::MAX_CANONICAL_REF_BYTES
            || item.canonical_ref.chars().any(char::is_control)
        {
            c.push(path("canonical_ref"), "Not a valid item reference.");
        }
        c.text(
            &path("title"),
            &item.title,
            limits::ITEM_TITLE,
            Lines::One,
            false,
        );
        c.text(
            &path("note"),
            &item.note,
            limits::ITEM_NOTE,
            Lines::Many,
            false,
        );
        if let Some(to) = &item.handoff_to {
            c.text(&path("handoff_to"), to, limits::PERSON, Lines::One, true);
        }
    }
    let size = declaration_size(d);
    if size > limits::MAX_DECLARATION_BYTES {
        // Only items can take a declaration past the budget (see the tests): the message goes
        // beside them.
        c.push(
            "items",
            format!(
                "Too much text in all: {} KB, at most {} KB. Shorten notes or remove items.",
                size.div_ceil(1024),
                limits::MAX_DECLARATION_BYTES / 1024
            ),
        );
    }
    c.text(
        "blockers",
        &d.blockers,
        limits::BLOCKERS,
        Lines::Many,
        false,
    );
    if let Some(cover) = &d.cover {
        c.text("cover", cover, limits::PERSON, Lines::One, true);
    }
    c.future("back_at", d.back_at, now);
    c.future("expires_at", d.expires_at, now);
    if !is_timezone_name(&d.timezone) {
        c.push(
            "timezone",
            "Must be an IANA time zone such as Europe/Berlin.",
        );
    }
    c.finish()
}

/// The length of `d` as the extension sends it (compact JSON, `wire::json_len`); a declaration
/// that cannot be written at all counts as too large.
pub fn declaration_size(d: &Declaration) -> usize {
    crate::wire::json_len(d).unwrap_or(usize::MAX)
}

/// Checks the options page's settings.
pub fn validate_settings(s: &Settings) -> Result<(), ValidationErrors> {
    let mut c = Collector::default();
    c.text(
        "display_name",
        &s.display_name,
        limits::DISPLAY_NAME,
        Lines::One,
        true,
    );
    check_handles(&mut c, "handles", &s.handles);
    if !s.timezone.is_empty() && !is_timezone_name(&s.timezone) {
        c.push(
            "timezone",
            "Must be an IANA time zone such as Europe/Berlin.",
        );
    }
    check_working_hours(&mut c, "working_hours", &s.working_hours);
    if s.reminder.lead_minutes > limits::MAX_REMINDER_LEAD_MINUTES {
        c.push(
            "reminder.lead_minutes",
            format!("At most {} minutes.", limits::MAX_REMINDER_LEAD_MINUTES),
        );
    }
    c.finish()
}

/// Checks handles in place (settings, or a server's join and profile requests).
pub fn validate_handles(h: &Handles) -> Result<(), ValidationErrors> {
    let mut c = Collector::default();
    check_handles(&mut c, "handles", h);
    c.finish()
}

/// Checks working hours in place (settings, or a server's profile request).
pub fn validate_working_hours(w: &WorkingHours) -> Result<(), ValidationErrors> {
    let mut c = Collector::default();
    check_working_hours(&mut c, "working_hours", w);
    c.finish()
}

fn check_handles(c: &mut Collector, prefix: &str, h: &Handles) {
    // GitHub: 1–39 alphanumerics or single hyphens, not at either end.
    if let Some(login) = &h.github {
        let ok = (1..=39).contains(&login.len())
            && login
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            && !login.starts_with('-')
            && !login.ends_with('-')
            && !login.contains("--");
        if !ok {
            c.push(
                format!("{prefix}.github"),
                "Not a GitHub login (letters, digits and single hyphens).",
            );
        }
    }
    // GitLab: letters, digits, `_`, `-`, `.`; starts and ends with a letter, digit or `_`.
    if let Some(user) = &h.gitlab {
        let edge_ok =
            |ch: Option<char>| ch.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        let ok = (1..=255).contains(&user.len())
            && user
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
            && edge_ok(user.chars().next())
            && edge_ok(user.chars().last());
        if !ok {
            c.push(format!("{prefix}.gitlab"), "Not a GitLab username.");
        }
    }
    if let Some(jira) = &h.jira {
        c.text(
            &format!("{prefix}.jira"),
            jira,
            limits::HANDLE,
            Lines::One,
            true,
        );
    }
    if let Some(linear) = &h.linear {
        c.text(
            &format!("{prefix}.linear"),
            linear,
            limits::HANDLE,
            Lines::One,
            true,
        );
    }
}

fn check_working_hours(c: &mut Collector, prefix: &str, w: &WorkingHours) {
    if w.days.is_empty() {
        c.push(format!("{prefix}.days"), "Pick at least one working day.");
    }
    // End before start is an overnight shift (22:00–06:00); only a zero-length day is wrong.
    if w.end == w.start {
        c.push(format!("{prefix}.end"), "Must differ from the start.");
    }
}

/// The shape of an IANA zone name (`UTC`, `Europe/Berlin`, `America/Argentina/Salta`,
/// `Etc/GMT+5`). Whether the zone exists is asked of the platform (Intl, chrono-tz).
pub fn is_timezone_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= limits::MAX_TIMEZONE_BYTES
        && name.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_+-".contains(ch))
        })
        && name
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::sample;
    use crate::model::WorkItem;
    use crate::model::{ItemState, Settings};
    use crate::time::LocalTime;

    const NOW: Timestamp = Timestamp(1_795_000_000_000);

    fn fields(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn sample_is_valid() {
        let mut d = sample();
        d.back_at = Some(NOW.plus_minutes(60));
        assert_eq!(validate_declaration(&d, Some(NOW)), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut d = sample();
        d.headline = "x".repeat(81);
        d.emoji = Some("ab".into());
        d.note = "n".repeat(2001);
        d.items.push(WorkItem {
            url: "javascript:alert(1)".into(),
            canonical_ref: String::new(),
            title: "t".repeat(201),
            note: String::new(),
            state: ItemState::Blocked,
            handoff_to: Some("  ".into()),
        });
        d.blockers = "b".repeat(1001);
        d.cover = Some("line\nbreak".into());
        d.back_at = Some(NOW.plus_minutes(-1));
        d.expires_at = Some(Timestamp(NOW.millis() + limits::MAX_FUTURE_MS + 1));
        d.timezone = "Not a zone!".into();
        assert_eq!(
            fields(validate_declaration(&d, Some(NOW))),
            [
                "headline",
                "emoji",
                "note",
                "items[1].url",
                "items[1].title",
                "items[1].handoff_to",
                "blockers",
                "cover",
                "back_at",
                "expires_at",
                "timezone"
            ]
        );
    }

    #[test]
    fn limits_count_graphemes_not_bytes() {
        let mut d = sample();
        // 80 family emoji: 80 graphemes, 25 bytes each: inside both limits.
        d.headline = "👨‍👩‍👧‍👦".repeat(80);
        assert_eq!(validate_declaration(&d, None), Ok(()));
        d.headline.push('x');
        let err = validate_declaration(&d, None).unwrap_err();
        assert_eq!(
            err.for_field("headline").unwrap().message,
            "At most 80 characters (81 given)."
        );
        // One grapheme carrying thousands of combining marks is capped by bytes.
        d.headline = format!("a{}", "\u{301}".repeat(2000));
        assert_eq!(fields(validate_declaration(&d, None)), ["headline"]);
        d.headline = "   ".into();
        assert_eq!(
            validate_declaration(&d, None).unwrap_err().0[0].message,
            "Required."
        );
    }

    #[test]
    fn single_line_fields_refuse_newlines_and_controls() {
        let mut d = sample();
        d.headline = "two\nlines".into();
        d.note = "multi\nline\tok".into();
        assert_eq!(fields(validate_declaration(&d, None)), ["headline"]);
        d.headline = "ok".into();
        d.note = "bell\u{7}".into();
        assert_eq!(fields(validate_declaration(&d, None)), ["note"]);
    }

    #[test]
    fn times_are_only_checked_against_a_clock_when_given() {
        let mut d = sample();
        d.back_at = Some(Timestamp(0));
        assert_eq!(validate_declaration(&d, None), Ok(()));
        assert_eq!(fields(validate_declaration(&d, Some(NOW))), ["back_at"]);
    }

    /// `unit` (one grapheme) repeated as often as `limit` allows.
    fn at_limit(unit: &str, limit: TextLimit) -> String {
        unit.repeat(limit.max_graphemes.min(limit.max_bytes / unit.len()))
    }

    /// A declaration with every text field at its limit, filled with `unit`, and `items` items
    /// whose link and reference escape to twice their length.
    fn at_every_limit(unit: &str, items: usize) -> Declaration {
        let url = format!(
            "https://x.example/{}",
            "\"".repeat(limits::MAX_URL_BYTES - 18)
        );
        let item = WorkItem {
            canonical_ref: "\\".repeat(limits::MAX_CANONICAL_REF_BYTES),
            title: at_limit(unit, limits::ITEM_TITLE),
            note: at_limit(unit, limits::ITEM_NOTE),
            state: ItemState::Waiting,
            handoff_to: Some(at_limit(unit, limits::PERSON)),
            url,
        };
        Declaration {
            status: crate::model::Status::Ooo,
            headline: at_limit(unit, limits::HEADLINE),
            emoji: Some("👨‍👩‍👧‍👦".into()),
            note: at_limit(unit, limits::NOTE),
            items: vec![item; items],
            blockers: at_limit(unit, limits::BLOCKERS),
            cover: Some(at_limit(unit, limits::PERSON)),
            back_at: Some(NOW.plus_minutes(60)),
            expires_at: Some(NOW.plus_minutes(120)),
            timezone: "America/Argentina/ComodRivadavia".into(),
        }
    }

    #[test]
    fn every_declaration_that_validates_fits_the_body_cap() {
        // 4-byte and 3-byte characters, characters JSON escapes (to twice their length), and
        // graphemes as long as the byte caps allow ("\"" with 100 combining marks).
        let heavy = format!("\"{}", "\u{301}".repeat(100));
        let mut refused = 0;
        for unit in ["😀", "日", "\"", "\\", &heavy] {
            for items in 0..=limits::MAX_ITEMS {
                let d = at_every_limit(unit, items);
                let sent = serde_json::to_vec(&d).unwrap().len();
                assert_eq!(declaration_size(&d), sent, "{unit:?} × {items}");
                match validate_declaration(&d, Some(NOW)) {
                    Ok(()) => assert!(sent <= limits::MAX_DECLARATION_BYTES, "{unit} × {items}"),
                    Err(e) => {
                        // Refused for its size only: each field is within its own limit.
                        assert!(sent > limits::MAX_DECLARATION_BYTES, "{unit} × {items}");
                        assert_eq!(e.0.len(), 1, "{e:?}");
                        assert_eq!(e.0[0].field, "items");
                        assert!(e.0[0].message.starts_with("Too much text in all: "));
                        refused += 1;
                    }
                }
                // Without items even the largest declaration validates: the size error can
                // stand beside the items.
                if items == 0 {
                    assert_eq!(validate_declaration(&d, Some(NOW)), Ok(()), "{unit:?}");
                }
            }
        }
        assert!(refused > 0, "the budget was never reached");
        // Multi-line fields may also hold line breaks and tabs, escaped to two bytes as well.
        let mut d = at_every_limit("\"", 1);
        d.note = at_limit("\n", limits::NOTE);
        d.blockers = at_limit("\t", limits::BLOCKERS);
        d.items[0].note = at_limit("\n", limits::ITEM_NOTE);
        assert_eq!(validate_declaration(&d, Some(NOW)), Ok(()));
        assert_eq!(declaration_size(&d), serde_json::to_vec(&d).unwrap().len());
    }

    #[test]
    fn without_items_no_declaration_reaches_the_budget() {
        // Allowed characters escape to at most twice their bytes (quotes, backslashes, line
        // breaks, tabs; other controls are refused); 512 bytes cover names and punctuation.
        let text_fields = [
            limits::HEADLINE,
            limits::EMOJI,
            limits::NOTE,
            limits::BLOCKERS,
            limits::PERSON,
        ];
        let worst: usize = text_fields.iter().map(|l| 2 * l.max_bytes).sum::<usize>()
            + limits::MAX_TIMEZONE_BYTES
            + 512;
        assert!(worst < limits::MAX_DECLARATION_BYTES, "{worst}");
    }

    #[test]
    fn fifty_items_of_japanese_text_are_refused_beside_the_items() {
        // The review's case: each field valid, over 100 KB in all, answered 413 by the server.
        let mut d = sample();
        d.items = vec![
            WorkItem {
                title: "日本語".repeat(66),
                note: "日本語".repeat(166),
                ..d.items[0].clone()
            };
            limits::MAX_ITEMS
        ];
        assert!(serde_json::to_vec(&d).unwrap().len() > limits::MAX_BODY_BYTES);
        let errors = validate_declaration(&d, None).unwrap_err();
        assert_eq!(
            errors.for_field("items").map(|e| e.message.as_str()),
            Some("Too much text in all: 110 KB, at most 60 KB. Shorten notes or remove items.")
        );
        assert_eq!(errors.0.len(), 1);
    }

    #[test]
    fn required_text_must_show_something() {
        let mut d = sample();
        for invisible in [
            "\u{200B}",
            "\u{202E}",
            "\u{2066}\u{2069}",
            "\u{3164}",
            " \u{FEFF} ",
        ] {
            d.headline = invisible.into();
            let errors = validate_declaration(&d, None).unwrap_err();
            assert_eq!(
                errors.for_field("headline").map(|e| e.message.as_str()),
                Some("Only invisible characters: type some visible text."),
                "{invisible:?}"
            );
        }
        d.headline = "\u{202E}Back soon".into();
        assert_eq!(validate_declaration(&d, None), Ok(()));
        d.cover = Some("\u{200B}".into());
        d.items[0].handoff_to = Some("\u{200D}".into());
        assert_eq!(
            fields(validate_declaration(&d, None)),
            ["items[0].handoff_to", "cover"]
        );
        let s = Settings {
            display_name: "\u{200F}\u{200B}".into(),
            handles: Handles {
                jira: Some("\u{2060}".into()),
                linear: Some("\u{FE0F}".into()),
                ..Handles::default()
            },
            ..Settings::default()
        };
        assert_eq!(
            fields(validate_settings(&s)),
            ["display_name", "handles.jira", "handles.linear"]
        );
    }

    #[test]
    fn too_many_items() {
        let mut d = sample();
        d.items = vec![d.items[0].clone(); limits::MAX_ITEMS + 1];
        assert_eq!(fields(validate_declaration(&d, None)), ["items"]);
    }

    #[test]
    fn emoji_must_be_one_symbol() {
        let mut d = sample();
        for ok in ["🌙", "👩🏽‍💻", "🇩🇪", "☕"] {
            d.emoji = Some(ok.into());
            assert_eq!(validate_declaration(&d, None), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "a",
            "🌙🌙",
            " ",
            "1",
            "\u{202E}",
            "\u{200B}",
            "\u{200D}",
            "\u{FE0F}",
            "\u{2066}",
            "\u{E0041}",
        ] {
            d.emoji = Some(bad.into());
            assert_eq!(
                fields(validate_declaration(&d, None))
                    .first()
                    .map(String::as_str),
                Some("emoji"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn timezone_names() {
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Salta",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert!(is_timezone_name(ok), "{ok}");
        }
        for bad in [
            "",
            "/Berlin",
            "Europe//Berlin",
            "Europe/Berlin/",
            "Europe/Ber lin",
            "<script>",
            "1Zone",
        ] {
            assert!(!is_timezone_name(bad), "{bad}");
        }
    }

    #[test]
    fn settings_validation() {
        let mut s = Settings {
            display_name: "Alice".into(),
            ..Settings::default()
        };
        assert_eq!(validate_settings(&s), Ok(()));
        s.display_name = String::new();
        s.handles.github = Some("-bad-".into());
        s.handles.gitlab = Some("ok.name".into());
        s.handles.jira = Some("5b10ac8d82e05b22cc7d4ef5".into());
        s.handles.linear = Some("".into());
        s.timezone = "Mars/Olympus Mons".into();
        s.working_hours.days.clear();
        s.working_hours.end = s.working_hours.start;
        assert_eq!(
            fields(validate_settings(&s)),
            [
                "display_name",
                "handles.github",
                "handles.linear",
                "timezone",
                "working_hours.days",
                "working_hours.end"
            ]
        );
        s.working_hours.days = vec![crate::time::Weekday::Sat];
        s.working_hours.start = LocalTime::hm(22, 0);
        s.working_hours.end = LocalTime::hm(6, 0);
        assert!(
            validate_working_hours(&s.working_hours).is_ok(),
            "overnight shifts are allowed"
        );
    }

    #[test]
    fn github_and_gitlab_handle_syntax() {
        let gh = |l: &str| {
            validate_handles(&Handles {
                github: Some(l.into()),
                ..Handles::default()
            })
            .is_ok()
        };
        assert!(gh("octocat") && gh("a-b-c") && gh(&"a".repeat(39)));
        assert!(!gh("a--b") && !gh(&"a".repeat(40)) && !gh("a_b") && !gh(""));
        let gl = |l: &str| {
            validate_handles(&Handles {
                gitlab: Some(l.into()),
                ..Handles::default()
            })
            .is_ok()
        };
        assert!(gl("felix.becker") && gl("_bot") && gl("a-b"));
        assert!(!gl(".x") && !gl("x-") && !gl("a b"));
    }

    #[test]
    fn decode_and_encode_field_errors() {
        use crate::wire::check::round_trips;
        let error = FieldError {
            field: "items[2].url".into(),
            message: "Must be an http(s) link.".into(),
        };
        round_trips(&error);
        let empty = FieldError {
            field: String::new(),
            message: String::new(),
        };
        round_trips(&empty);
        let e = crate::wire::from_str::<FieldError>(r#"{"field":"headline"}"#).unwrap_err();
        assert_eq!(e.path, "message");
    }
}
