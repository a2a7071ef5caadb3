//! Working hours as concrete instants: each working day's shift from its start to its end, in
//! the zone whose rules apply. The end-of-day reminder and the Team view's timeline both work
//! from these intervals, so a DST change or an overnight shift is handled in one place.

use crate::model::WorkingHours;
use crate::time::{CivilDate, LocalDateTime, Timestamp, ZoneOffsets};

/// One working day's shift. `date` is the local date it starts on (an overnight shift
/// 22:00–06:00 belongs to the day it starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shift {
    pub date: CivilDate,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Shift {
    /// The shift of `date`, or `None` on a day off. The end is on the next day when the hours
    /// cross midnight (`end < start`). Both ends are wall times resolved through the zone's
    /// rules, so a shift spanning a DST change is an hour shorter or longer, as it is on the
    /// wall clock.
    pub fn on(hours: &WorkingHours, date: CivilDate, zone: &dyn ZoneOffsets) -> Option<Shift> {
        if !hours.is_working_day(date.weekday()) {
            return None;
        }
        let start = LocalDateTime {
            date,
            time: hours.start,
        }
        .to_instant(zone);
        let end_date = if hours.end > hours.start {
            date
        } else {
            date.add_days(1)
        };
        let end = LocalDateTime {
            date: end_date,
            time: hours.end,
        }
        .to_instant(zone);
        // Only a shift squeezed into a DST gap can come out empty; it has no time to remind in.
        (end > start).then_some(Shift { date, start, end })
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// The shifts that start on the local dates from `days_before` days before `at`'s date to
/// `days_after` days after it, in order. Shifts never overlap (each starts on its own date
/// and lasts under 24 hours).
pub fn shifts_around(
    hours: &WorkingHours,
    at: Timestamp,
    zone: &dyn ZoneOffsets,
    days_before: i64,
    days_after: i64,
) -> Vec<Shift> {
    let today = LocalDateTime::at(at, zone).date;
    (-days_before..=days_after)
        .filter_map(|d| Shift::on(hours, today.add_days(d), zone))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::Tz;
    use crate::time::{LocalTime, Weekday};

    use crate::time::rfc3339 as t;

    fn date(y: i32, m: u32, d: u32) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn a_day_shift_and_days_off() {
        let hours = WorkingHours::default();
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let friday = Shift::on(&hours, date(2026, 11, 27), &berlin).unwrap();
        assert_eq!(friday.start, t("2026-11-27T08:00:00Z"));
        assert_eq!(friday.end, t("2026-11-27T16:00:00Z"));
        assert!(friday.contains(t("2026-11-27T15:59:00Z")));
        assert!(!friday.contains(t("2026-11-27T16:00:00Z")));
        assert_eq!(Shift::on(&hours, date(2026, 11, 28), &berlin), None);
    }

    #[test]
    fn an_overnight_shift_ends_the_next_day_across_dst() {
        let hours = WorkingHours {
            days: vec![Weekday::Sat],
            start: LocalTime::hm(22, 0),
            end: LocalTime::hm(6, 0),
        };
        // Berlin falls back in the night of Saturday 2026-10-24 to Sunday: a 9-hour shift.
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let s = Shift::on(&hours, date(2026, 10, 24), &berlin).unwrap();
        assert_eq!(s.start, t("2026-10-24T20:00:00Z"));
        assert_eq!(s.end, t("2026-10-25T05:00:00Z"));
        // Springing forward (Saturday 2026-03-28 to Sunday) makes it 7 hours.
        let s = Shift::on(&hours, date(2026, 3, 28), &berlin).unwrap();
        assert_eq!(s.end.millis() - s.start.millis(), 7 * 3_600_000);
    }

    #[test]
    fn shifts_around_lists_working_days_in_order() {
        let hours = WorkingHours::default();
        let utc = crate::time::FixedOffset(0);
        // Wednesday 2026-11-25: two days back (Mon, Tue), four ahead (Thu, Fri; not Sat, Sun).
        let list = shifts_around(&hours, t("2026-11-25T12:00:00Z"), &utc, 2, 4);
        let days: Vec<u32> = list.iter().map(|s| s.date.day).collect();
        assert_eq!(days, [23, 24, 25, 26, 27]);
        assert!(list.windows(2).all(|w| w[0].end <= w[1].start));
    }
}
