//! Text and ids the extension pages show: the DOM ids derived from validation field paths, a
//! length counter, instants in the user's zone ("Declared 17:42", "Mon 30 Nov, 09:00 (in
//! 2 d)"), and declarations made safe to place beside other text. Pure, so the popup and the
//! options page only place what this module decides.

use crate::limits::TextLimit;
use crate::model::{Declaration, WorkItem};
use crate::text::pair_bidi_controls;
use crate::time::{humanize_duration, LocalDateTime, Timestamp, ZoneOffsets};

/// `text` as shown to people: its bidi controls paired, so that a U+202E in someone's text
/// cannot reverse what a page or a line places after it.
pub fn shown(text: &str) -> String {
    pair_bidi_controls(text).into_owned()
}

/// `d` with its free text [`shown`]: what the Team view, the digest, the conflict view and the
/// cards on tracker pages display. Links stay as they are (they hold no bidi controls: see
/// `item_ref::parse_http_url`).
pub fn displayed(d: &Declaration) -> Declaration {
    let shown_opt = |text: &Option<String>| text.as_deref().map(shown);
    Declaration {
        headline: shown(&d.headline),
        emoji: shown_opt(&d.emoji),
        note: shown(&d.note),
        items: d
            .items
            .iter()
            .map(|item| WorkItem {
                title: shown(&item.title),
                note: shown(&item.note),
                handoff_to: shown_opt(&item.handoff_to),
                ..item.clone()
            })
            .collect(),
        blockers: shown(&d.blockers),
        cover: shown_opt(&d.cover),
        ..d.clone()
    }
}

/// The id of the control that edits a field: `items[2].url` → `items-2-url`,
/// `handles.github` → `handles-github`. Pages give controls exactly these ids, so an error from
/// `validate_*` (or the server) finds its field without a lookup table.
pub fn field_slug(path: &str) -> String {
    path.chars()
        .filter(|c| *c != ']')
        .map(|c| if c == '[' || c == '.' { '-' } else { c })
        .collect()
}

/// The id of the message element beside a field's control: `error-items-2-url`.
pub fn error_id(path: &str) -> String {
    format!("error-{}", field_slug(path))
}

/// The id of work item `index`'s control for `field` (`items-2-url`), or of its buttons
/// (`items-2-up`): the same mapping as the item's validation paths (`items[2].url`).
pub fn item_control_id(index: usize, field: &str) -> String {
    field_slug(&format!("items[{index}].{field}"))
}

/// The inverse of [`item_control_id`]: `items-2-up` → `(2, "up")`.
pub fn parse_item_control_id(id: &str) -> Option<(usize, &str)> {
    let (index, field) = id.strip_prefix("items-")?.split_once('-')?;
    Some((index.parse().ok()?, field))
}

/// "12/80": characters as users count them (grapheme clusters) against the limit.
pub fn counter_text(value: &str, limit: TextLimit) -> String {
    format!(
        "{}/{}",
        crate::text::grapheme_count(value),
        limit.max_graphemes
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Fri 27 Nov, 17:42" in `zone`.
pub fn local_date_time_text(at: Timestamp, zone: &dyn ZoneOffsets) -> String {
    let local = LocalDateTime::at(at, zone);
    let month = MONTHS[(local.date.month as usize).saturating_sub(1) % 12];
    format!(
        "{} {} {month}, {}",
        local.date.weekday().short_name(),
        local.date.day,
        local.time
    )
}

/// The popup's confirmation: "Declared 17:42" the same day, with the date on another day.
pub fn declared_text(declared_at: Timestamp, now: Timestamp, zone: &dyn ZoneOffsets) -> String {
    format!("Declared {}", time_or_date_text(declared_at, now, zone))
}

/// The popup's sync line once the server has the declaration: "Synced 17:42".
pub fn synced_text(synced_at: Timestamp, now: Timestamp, zone: &dyn ZoneOffsets) -> String {
    format!("Synced {}", time_or_date_text(synced_at, now, zone))
}

/// "17:42" on the same day as `now` in `zone`, else "Fri 27 Nov, 17:42".
pub fn time_or_date_text(at: Timestamp, now: Timestamp, zone: &dyn ZoneOffsets) -> String {
    let then = LocalDateTime::at(at, zone);
    if then.date == LocalDateTime::at(now, zone).date {
        then.time.to_string()
    } else {
        local_date_time_text(at, zone)
    }
}

/// A chosen instant as the user reads it: "Mon 30 Nov, 09:00 (in 2 d)" or "(3 h ago)".
pub fn describe_at(at: Timestamp, now: Timestamp, zone: &dyn ZoneOffsets) -> String {
    let distance = humanize_duration(at.millis() - now.millis());
    let relative = if at > now {
        format!("in {distance}")
    } else {
        format!("{distance} ago")
    };
    format!("{} ({relative})", local_date_time_text(at, zone))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits;
    use crate::time::FixedOffset;

    use crate::time::rfc3339 as t;

    #[test]
    fn slugs_follow_field_paths() {
        assert_eq!(field_slug("headline"), "headline");
        assert_eq!(field_slug("items[2].url"), "items-2-url");
        assert_eq!(field_slug("items[10].handoff_to"), "items-10-handoff_to");
        assert_eq!(field_slug("working_hours.days"), "working_hours-days");
        assert_eq!(error_id("items[0].url"), "error-items-0-url");
    }

    #[test]
    fn item_control_ids_round_trip() {
        assert_eq!(item_control_id(3, "handoff_to"), "items-3-handoff_to");
        assert_eq!(item_control_id(0, "up"), "items-0-up");
        assert_eq!(
            parse_item_control_id("items-12-remove"),
            Some((12, "remove"))
        );
        assert_eq!(
            parse_item_control_id("items-3-handoff_to"),
            Some((3, "handoff_to"))
        );
        for bad in [
            "items",
            "items-x-up",
            "items-1",
            "error-items-1-up",
            "headline",
        ] {
            assert_eq!(parse_item_control_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn displayed_declarations_have_their_bidi_controls_paired() {
        let mut d = crate::model::tests::sample();
        d.headline = "\u{202E}Back".into();
        d.note = "a\u{202C}b".into();
        d.items[0].title = "\u{2067}T".into();
        d.items[0].note = "\u{202B}n".into();
        d.items[0].handoff_to = Some("\u{202D}Bob".into());
        d.blockers = "\u{2069}x".into();
        d.cover = Some("\u{2068}Cy".into());
        let shown = displayed(&d);
        assert_eq!(shown.headline, "\u{202E}Back\u{202C}");
        assert_eq!(shown.note, "ab");
        assert_eq!(shown.items[0].title, "\u{2067}T\u{2069}");
        assert_eq!(shown.items[0].note, "\u{202B}n\u{202C}");
        assert_eq!(
            shown.items[0].handoff_to.as_deref(),
            Some("\u{202D}Bob\u{202C}")
        );
        assert_eq!(shown.blockers, "x");
        assert_eq!(shown.cover.as_deref(), Some("\u{2068}Cy\u{2069}"));
        // Everything else is the declaration as made.
        assert_eq!(shown.items[0].url, d.items[0].url);
        assert_eq!((shown.status, shown.back_at), (d.status, d.back_at));
        assert_eq!(
            displayed(&crate::model::tests::sample()),
            crate::model::tests::sample()
        );
    }

    #[test]
    fn counter_counts_graphemes() {
        assert_eq!(counter_text("", limits::HEADLINE), "0/80");
        // One family emoji (7 code points) and an accented e (2 code points): 2 characters.
        assert_eq!(counter_text("👨‍👩‍👧‍👦e\u{301}", limits::HEADLINE), "2/80");
    }

    #[test]
    fn declared_text_shows_local_time_and_date_on_other_days() {
        let berlin = FixedOffset(60);
        let at = t("2026-11-27T16:42:30Z");
        assert_eq!(
            declared_text(at, t("2026-11-27T18:00:00Z"), &berlin),
            "Declared 17:42"
        );
        assert_eq!(
            declared_text(at, t("2026-11-30T08:00:00Z"), &berlin),
            "Declared Fri 27 Nov, 17:42"
        );
        // Same UTC day, but already the next day in Berlin.
        assert_eq!(
            declared_text(at, t("2026-11-27T23:30:00Z"), &berlin),
            "Declared Fri 27 Nov, 17:42"
        );
    }

    #[test]
    fn synced_text_reads_like_declared_text() {
        let berlin = FixedOffset(60);
        let at = t("2026-11-27T16:42:30Z");
        assert_eq!(
            synced_text(at, t("2026-11-27T18:00:00Z"), &berlin),
            "Synced 17:42"
        );
        assert_eq!(
            synced_text(at, t("2026-11-28T18:00:00Z"), &berlin),
            "Synced Fri 27 Nov, 17:42"
        );
    }

    #[test]
    fn describe_at_says_how_far() {
        let tokyo = FixedOffset(9 * 60);
        let now = t("2026-11-27T12:00:00Z");
        assert_eq!(
            describe_at(t("2026-11-30T00:00:00Z"), now, &tokyo),
            "Mon 30 Nov, 09:00 (in 2 d)"
        );
        assert_eq!(
            describe_at(t("2026-11-27T09:00:00Z"), now, &tokyo),
            "Fri 27 Nov, 18:00 (3 h ago)"
        );
    }
}
