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

/// From this many calendar days ahead a return is named by its date: a weekday six days or
/// more away reads as this week's ("back Sat" said on a Friday of a Saturday two weeks off).
pub const DATE_FROM_DAYS: i64 = 6;

/// How much of a return time to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// A badge's label: "09:00" today, "Sat 05:30", "19 Dec".
    Terse,
    /// A row, a banner, a tooltip: the weekday today too ("Wed 09:00"), "19 Dec".
    Day,
    /// A card or an accessible name: the time kept however far ("Sat 19 Dec, 05:30").
    Full,
}

/// When someone is back, as read in `zone` (the viewer's or theirs): the time today, the
/// weekday and time within five days, the day and month from [`DATE_FROM_DAYS`] on. The one
/// formatter of return times: badges, cards, the banner, the Team view, the digest and the
/// timeline all say it this way.
pub fn return_time(
    at: Timestamp,
    now: Timestamp,
    zone: &dyn ZoneOffsets,
    detail: Detail,
) -> String {
    let then = LocalDateTime::at(at, zone);
    let days = then.date.days_since_epoch() - LocalDateTime::at(now, zone).date.days_since_epoch();
    let weekday = then.date.weekday().short_name();
    let month = MONTHS[(then.date.month as usize).saturating_sub(1) % 12];
    match detail {
        _ if days >= DATE_FROM_DAYS && detail != Detail::Full => {
            format!("{} {month}", then.date.day)
        }
        _ if days >= DATE_FROM_DAYS => {
            format!("{weekday} {} {month}, {}", then.date.day, then.time)
        }
        Detail::Terse if days == 0 => then.time.to_string(),
        _ => format!("{weekday} {}", then.time),
    }
}

/// "back 19 Dec (your time)": a teammate's return in the viewer's zone.
pub fn back_your_time(at: Timestamp, now: Timestamp, viewer_zone: &dyn ZoneOffsets) -> String {
    format!(
        "back {} (your time)",
        return_time(at, now, viewer_zone, Detail::Day)
    )
}

/// "back Sat 19 Dec, 10:00 their time": a teammate's return on their own clock.
pub fn back_their_time(at: Timestamp, now: Timestamp, their_zone: &dyn ZoneOffsets) -> String {
    format!(
        "back {} their time",
        return_time(at, now, their_zone, Detail::Full)
    )
}

/// "now 05:29 there": a teammate's clock at this moment, never to be read as a return time.
pub fn now_there(now: Timestamp, their_zone: &dyn ZoneOffsets) -> String {
    format!("now {} there", LocalDateTime::at(now, their_zone).time)
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

    /// The evening: Friday 4 Dec 2026, 19:30 in Berlin.
    const FRIDAY_EVENING: &str = "2026-12-04T18:30:00Z";

    #[test]
    fn a_return_two_weeks_off_reads_as_a_date_in_every_zone() {
        use crate::model::tests::Tz;
        let now = t(FRIDAY_EVENING);
        let (berlin, kolkata) = (Tz(chrono_tz::Europe::Berlin), Tz(chrono_tz::Asia::Kolkata));
        // Back on Saturday 19 Dec at 10:00 in Kolkata, 05:30 in Berlin: not "back Sat 05:30".
        let back = t("2026-12-19T04:30:00Z");
        assert_eq!(return_time(back, now, &berlin, Detail::Terse), "19 Dec");
        assert_eq!(return_time(back, now, &berlin, Detail::Day), "19 Dec");
        assert_eq!(
            return_time(back, now, &berlin, Detail::Full),
            "Sat 19 Dec, 05:30"
        );
        assert_eq!(
            back_your_time(back, now, &berlin),
            "back 19 Dec (your time)"
        );
        assert_eq!(
            back_their_time(back, now, &kolkata),
            "back Sat 19 Dec, 10:00 their time"
        );
        // Their clock now is said to be now: just past midnight in Kolkata.
        assert_eq!(now_there(now, &kolkata), "now 00:00 there");
        assert_eq!(now_there(now, &berlin), "now 19:30 there");
    }

    #[test]
    fn returns_within_five_days_keep_the_weekday_and_today_the_time() {
        use crate::model::tests::Tz;
        let now = t(FRIDAY_EVENING);
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let tonight = t("2026-12-04T20:00:00Z");
        assert_eq!(return_time(tonight, now, &berlin, Detail::Terse), "21:00");
        assert_eq!(return_time(tonight, now, &berlin, Detail::Day), "Fri 21:00");
        assert_eq!(
            return_time(tonight, now, &berlin, Detail::Full),
            "Fri 21:00"
        );
        let monday = t("2026-12-07T08:00:00Z");
        for detail in [Detail::Terse, Detail::Day, Detail::Full] {
            assert_eq!(return_time(monday, now, &berlin, detail), "Mon 09:00");
        }
        assert_eq!(
            back_your_time(monday, now, &berlin),
            "back Mon 09:00 (your time)"
        );
    }

    #[test]
    fn the_six_day_boundary_is_counted_in_the_readers_calendar() {
        use crate::model::tests::Tz;
        let now = t(FRIDAY_EVENING);
        let berlin = Tz(chrono_tz::Europe::Berlin);
        // Wednesday 9 Dec, 23:59 in Berlin: five days on. Thursday 00:00: six.
        let wednesday = t("2026-12-09T22:59:00Z");
        let thursday = t("2026-12-09T23:00:00Z");
        assert_eq!(
            return_time(wednesday, now, &berlin, Detail::Terse),
            "Wed 23:59"
        );
        assert_eq!(return_time(thursday, now, &berlin, Detail::Terse), "10 Dec");
        assert_eq!(
            return_time(thursday, now, &berlin, Detail::Full),
            "Thu 10 Dec, 00:00"
        );
        // One instant, two readers: Thursday 06:00 in Berlin is six days off, Wednesday 21:00 in
        // Los Angeles (still Friday morning there now) five; Tokyo is already on Saturday, so
        // its Thursday 14:00 is five days off too.
        let back = t("2026-12-10T05:00:00Z");
        assert_eq!(return_time(back, now, &berlin, Detail::Day), "10 Dec");
        let la = Tz(chrono_tz::America::Los_Angeles);
        assert_eq!(return_time(back, now, &la, Detail::Day), "Wed 21:00");
        let tokyo = Tz(chrono_tz::Asia::Tokyo);
        assert_eq!(return_time(back, now, &tokyo, Detail::Day), "Thu 14:00");
        // A year's turn: 2 Jan is a date, not "Sat".
        let new_year = t("2027-01-02T08:00:00Z");
        assert_eq!(
            return_time(new_year, now, &berlin, Detail::Full),
            "Sat 2 Jan, 09:00"
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
