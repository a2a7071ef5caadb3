//! Instants, civil dates and zone arithmetic without a time-zone database.
//!
//! The extension cannot afford a bundled tz database in its wasm budget, so zone rules come
//! through [`ZoneOffsets`]: the browser shell implements it over `Intl`, native tests over
//! chrono-tz. Everything here is pure and deterministic.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 24 * 60 * MS_PER_MINUTE;

/// A UTC instant in milliseconds since the Unix epoch; on the wire an RFC 3339 string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 date-time such as 2026-11-27T17:42:00Z")]
pub struct TimestampParseError;

/// A timestamp from RFC 3339 text, for tests across the crate.
#[cfg(test)]
pub(crate) fn rfc3339(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

impl Timestamp {
    pub const fn millis(self) -> i64 {
        self.0
    }

    pub const fn plus_minutes(self, minutes: i64) -> Timestamp {
        Timestamp(self.0 + minutes * MS_PER_MINUTE)
    }

    pub const fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0 + ms)
    }

    /// Parses RFC 3339 (`2026-11-27T17:42:00Z`, `…T17:42:00.123+05:30`); seconds are optional
    /// so the value of an `<input type="datetime-local">` plus an offset also parses.
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimestampParseError> {
        let b = s.as_bytes();
        let num = |from: usize, len: usize| -> Result<i64, TimestampParseError> {
            let part = b.get(from..from + len).ok_or(TimestampParseError)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(TimestampParseError);
            }
            Ok(part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
        };
        let expect = |at: usize, chars: &[u8]| match b.get(at) {
            Some(c) if chars.contains(c) => Ok(()),
            _ => Err(TimestampParseError),
        };
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        expect(4, b"-")?;
        expect(7, b"-")?;
        expect(10, b"Tt ")?;
        let (hour, minute) = (num(11, 2)?, num(14, 2)?);
        expect(13, b":")?;
        let mut at = 16;
        let mut second = 0;
        let mut millis = 0;
        if b.get(at) == Some(&b':') {
            second = num(at + 1, 2)?;
            at += 3;
            if b.get(at) == Some(&b'.') {
                at += 1;
                let start = at;
                while b.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                if at == start || at - start > 9 {
                    return Err(TimestampParseError);
                }
                // Keep milliseconds; finer digits are truncated.
                let digits = &s[start..at.min(start + 3)];
                millis = digits.parse::<i64>().map_err(|_| TimestampParseError)?
                    * 10_i64.pow(3 - digits.len() as u32);
            }
        }
        let offset_minutes = match b.get(at) {
            Some(b'Z' | b'z') if at + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if at + 6 == b.len() => {
                expect(at + 3, b":")?;
                let (oh, om) = (num(at + 1, 2)?, num(at + 4, 2)?);
                if oh > 23 || om > 59 {
                    return Err(TimestampParseError);
                }
                let magnitude = oh * 60 + om;
                if *sign == b'-' {
                    -magnitude
                } else {
                    magnitude
                }
            }
            _ => return Err(TimestampParseError),
        };
        let date =
            CivilDate::new(year as i32, month as u32, day as u32).ok_or(TimestampParseError)?;
        // 23:59:60 (a leap second) is folded into the next second's range by rejecting it.
        if hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampParseError);
        }
        let local_ms = date.days_since_epoch() * MS_PER_DAY
            + (hour * 60 + minute) * MS_PER_MINUTE
            + second * 1000
            + millis;
        Ok(Timestamp(local_ms - offset_minutes * MS_PER_MINUTE))
    }

    /// The UTC civil date and time, to the millisecond.
    pub fn to_utc_parts(self) -> (CivilDate, u32) {
        let days = self.0.div_euclid(MS_PER_DAY);
        let ms_of_day = self.0.rem_euclid(MS_PER_DAY) as u32;
        (CivilDate::from_days_since_epoch(days), ms_of_day)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, ms) = self.to_utc_parts();
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        write!(f, "{date}T{h:02}:{m:02}:{s:02}")?;
        if milli != 0 {
            write!(f, ".{milli:03}")?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    pub fn new(year: i32, month: u32, day: u32) -> Option<CivilDate> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(CivilDate { year, month, day })
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for every proleptic date.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        Weekday::ALL[(self.days_since_epoch() + 3).rem_euclid(7) as usize]
    }

    pub fn add_days(self, days: i64) -> CivilDate {
        CivilDate::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn short_name(self) -> &'static str {
        match self {
            Weekday::Mon => "Mon",
            Weekday::Tue => "Tue",
            Weekday::Wed => "Wed",
            Weekday::Thu => "Thu",
            Weekday::Fri => "Fri",
            Weekday::Sat => "Sat",
            Weekday::Sun => "Sun",
        }
    }
}

/// A wall-clock time of day in minutes after midnight; on the wire `"HH:MM"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(u16);

impl LocalTime {
    pub const fn new(hour: u32, minute: u32) -> Option<LocalTime> {
        if hour < 24 && minute < 60 {
            Some(LocalTime((hour * 60 + minute) as u16))
        } else {
            None
        }
    }

    /// A compile-time constant time of day; an out-of-range literal fails the build.
    pub const fn hm(hour: u32, minute: u32) -> LocalTime {
        match LocalTime::new(hour, minute) {
            Some(t) => t,
            None => panic!("hour or minute out of range"),
        }
    }

    pub fn minutes(self) -> i64 {
        i64::from(self.0)
    }

    pub fn parse(s: &str) -> Option<LocalTime> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        LocalTime::new(h.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        LocalTime::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a time as HH:MM"))
    }
}

/// A zone's rules: its UTC offset at any instant. Implemented over `Intl` in the browser and
/// over chrono-tz in tests; a fixed offset for UTC.
pub trait ZoneOffsets {
    /// Minutes east of UTC in force at `at`.
    fn offset_minutes(&self, at: Timestamp) -> i32;
}

/// A constant offset (UTC, or tests).
pub struct FixedOffset(pub i32);

impl ZoneOffsets for FixedOffset {
    fn offset_minutes(&self, _at: Timestamp) -> i32 {
        self.0
    }
}

/// A local date and time in some zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    pub date: CivilDate,
    pub time: LocalTime,
}

impl LocalDateTime {
    pub fn at(instant: Timestamp, zone: &dyn ZoneOffsets) -> LocalDateTime {
        let offset = i64::from(zone.offset_minutes(instant));
        let local = Timestamp(instant.0 + offset * MS_PER_MINUTE);
        let (date, ms) = local.to_utc_parts();
        LocalDateTime {
            date,
            time: LocalTime((ms / 60_000) as u16),
        }
    }

    /// The instant this wall-clock time names in `zone`. In a DST gap (a time that does not
    /// exist) it is pushed forward by the gap, as clocks are; in an overlap the earlier instant.
    pub fn to_instant(self, zone: &dyn ZoneOffsets) -> Timestamp {
        let naive = self.date.days_since_epoch() * MS_PER_DAY + self.time.minutes() * MS_PER_MINUTE;
        let from_offset = |offset: i32| Timestamp(naive - i64::from(offset) * MS_PER_MINUTE);
        // Offsets a day apart bracket any transition near this wall time.
        let before = zone.offset_minutes(Timestamp(naive - MS_PER_DAY));
        let after = zone.offset_minutes(Timestamp(naive + MS_PER_DAY));
        let earliest = [before, after]
            .into_iter()
            .map(from_offset)
            .filter(|t| zone.offset_minutes(*t) == ((naive - t.0) / MS_PER_MINUTE) as i32)
            .min();
        match earliest {
            Some(t) => t,
            // A gap: the wall time is skipped; interpret it with the offset before the jump.
            None => from_offset(before),
        }
    }
}

impl LocalDateTime {
    /// Parses the value of an `<input type="datetime-local">` (`2026-11-27T17:42`, seconds
    /// optional and dropped), the inverse of `Display`.
    pub fn parse(s: &str) -> Option<LocalDateTime> {
        let (date, time) = s.split_once('T')?;
        let digits = |p: &&str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
        let mut ymd = date.splitn(3, '-');
        let year = ymd.next().filter(|y| digits(y, 4))?.parse().ok()?;
        let mut two_digits = || ymd.next().filter(|p| digits(p, 2))?.parse().ok();
        let (month, day) = (two_digits()?, two_digits()?);
        let hh_mm = match time.len() {
            5 => time,
            // "17:42:05" or "17:42:05.123": the form's precision is the minute.
            n if n >= 8 && time.as_bytes()[5] == b':' => &time[..5],
            _ => return None,
        };
        Some(LocalDateTime {
            date: CivilDate::new(year, month, day)?,
            time: LocalTime::parse(hh_mm)?,
        })
    }
}

/// Parses the `longOffset` time-zone name `Intl.DateTimeFormat` gives (`GMT`, `GMT+05:30`,
/// `GMT-03:00`, historic `GMT+00:53:28`) into minutes east of UTC; seconds are dropped.
pub fn parse_gmt_offset(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("GMT")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let mut parts = digits.split(':');
    let mut two_digits = || {
        parts
            .next()
            .filter(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))?
            .parse::<i32>()
            .ok()
    };
    let (hours, minutes) = (two_digits()?, two_digits()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

/// Formats a duration in whole units for "in 7 h" / "3 h ago" style text.
pub fn humanize_duration(ms: i64) -> String {
    let minutes = ms.abs() / MS_PER_MINUTE;
    match minutes {
        0 => "less than a minute".to_string(),
        1..=59 => format!("{minutes} min"),
        60..=2879 => format!("{} h", minutes / 60),
        _ => format!("{} d", minutes / (24 * 60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_normalises_offsets() {
        let t = Timestamp::parse_rfc3339("2026-11-27T17:42:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-27T17:42:00Z");
        let shifted = Timestamp::parse_rfc3339("2026-11-27T23:12:00+05:30").unwrap();
        assert_eq!(shifted, t);
        let frac = Timestamp::parse_rfc3339("2026-11-27T17:42:00.5Z").unwrap();
        assert_eq!(frac.0 - t.0, 500);
        assert_eq!(frac.to_string(), "2026-11-27T17:42:00.500Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-27T17:42-01:00").unwrap(),
            t.plus_minutes(60)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("1970-01-01T00:00:00Z").unwrap(),
            Timestamp(0)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("1969-12-31T23:59:59Z").unwrap(),
            Timestamp(-1000)
        );
    }

    #[test]
    fn rfc3339_rejects_malformed_input() {
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27T17:42:00",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T17:42:00+5:30",
            "2026-11-27T17:42:00Zjunk",
            "2026-11-27T17:42:00.Z",
            "２026-11-27T17:42:00Z",
            "2026/11/27T17:42:00Z",
        ] {
            assert_eq!(
                Timestamp::parse_rfc3339(bad),
                Err(TimestampParseError),
                "{bad}"
            );
        }
        assert!(Timestamp::parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn civil_days_round_trip_over_four_centuries() {
        for days in (-146_097..146_097).step_by(7) {
            let d = CivilDate::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days);
        }
        assert_eq!(
            CivilDate::new(2026, 11, 27).unwrap().weekday(),
            Weekday::Fri
        );
        assert_eq!(CivilDate::new(2000, 2, 29).unwrap().weekday(), Weekday::Tue);
    }

    #[test]
    fn local_time_parses_only_hh_mm() {
        assert_eq!(LocalTime::parse("09:30").unwrap().to_string(), "09:30");
        for bad in ["9:30", "24:00", "12:60", "1230", "ab:cd", ""] {
            assert!(LocalTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn datetime_local_values_round_trip() {
        let dt = LocalDateTime::parse("2026-11-27T17:42").unwrap();
        assert_eq!(dt.to_string(), "2026-11-27T17:42");
        assert_eq!(LocalDateTime::parse("2026-11-27T17:42:59.5"), Some(dt));
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27 17:42",
            "2026-11-31T17:42",
            "2026-1-27T17:42",
            "2026-11-27T7:42",
            "2026-11-27T17:42:",
            "2026-11-27T24:00",
            "+026-11-27T17:42",
            "2026-+1-27T17:42",
        ] {
            assert_eq!(LocalDateTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn gmt_offsets_parse() {
        assert_eq!(parse_gmt_offset("GMT"), Some(0));
        assert_eq!(parse_gmt_offset("GMT+05:30"), Some(330));
        assert_eq!(parse_gmt_offset("GMT-03:00"), Some(-180));
        assert_eq!(parse_gmt_offset("GMT+00:53:28"), Some(53));
        for bad in ["", "UTC", "GMT+5", "GMT+05", "GMT*05:00", "GMT+24:00"] {
            assert_eq!(parse_gmt_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn humanized_durations() {
        assert_eq!(humanize_duration(30_000), "less than a minute");
        assert_eq!(humanize_duration(-5 * MS_PER_MINUTE), "5 min");
        assert_eq!(humanize_duration(3 * 60 * MS_PER_MINUTE + 5), "3 h");
        assert_eq!(humanize_duration(3 * MS_PER_DAY), "3 d");
    }

    #[test]
    fn decode_and_encode_match_serde() {
        use crate::wire::check::round_trips;
        for t in [0, -1000, 1_795_000_000_123, 253_402_300_799_000] {
            round_trips(&Timestamp(t));
        }
        // Before year 0 and after 9999: still what `Display` writes.
        for t in [
            LocalTime::hm(0, 0),
            LocalTime::hm(9, 5),
            LocalTime::hm(23, 59),
        ] {
            round_trips(&t);
        }
        for d in Weekday::ALL {
            round_trips(&d);
        }
    }

    #[test]
    fn decode_accepts_and_refuses_as_serde_does() {
        for text in [
            "2026-11-27T17:42:00Z",
            "2026-11-27t17:42:00.123456789+05:30",
            "2026-11-27 17:42-01:00",
            "",
            "2026-11-27T17:42:00",
            "2026-02-29T00:00:00Z",
            "2026-11-27T17:42:00.Z",
            "2026-11-27T17:42:00+5:30",
        ] {
            let json = serde_json::to_string(text).unwrap();
            let serde = serde_json::from_str::<Timestamp>(&json).ok();
            assert_eq!(
                crate::wire::from_str::<Timestamp>(&json).ok(),
                serde,
                "{text}"
            );
        }
        for text in ["09:30", "+9:30", "9:30", "24:00", "12:60", "1230", ""] {
            let json = serde_json::to_string(text).unwrap();
            let serde = serde_json::from_str::<LocalTime>(&json).ok();
            assert_eq!(
                crate::wire::from_str::<LocalTime>(&json).ok(),
                serde,
                "{text}"
            );
        }
        assert!(crate::wire::from_str::<Timestamp>("1795000000000").is_err());
        assert!(crate::wire::from_str::<LocalTime>("570").is_err());
        assert!(crate::wire::from_str::<Weekday>(r#""Mon""#).is_err());
        assert_eq!(
            crate::wire::from_str::<Weekday>(r#""sun""#),
            Ok(Weekday::Sun)
        );
    }
}
