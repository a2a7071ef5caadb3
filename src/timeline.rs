//! The follow-the-sun picture in the popup's Team view: the viewer's day from local midnight to
//! midnight, one row per teammate with their working hours mapped into it (a night shift shows
//! as two bars, the morning's end and the evening's start), who is online now, a line at "now"
//! and a marker where each offline teammate is back. Pure: [`timeline`] computes the geometry
//! and [`Timeline::to_svg`] describes the SVG as a tree of [`SvgNode`]s with a closed set of
//! tags and attribute names, which the popup creates with `createElementNS` (never markup).
//!
//! The x axis is time, not wall-clock: on a day the viewer's clocks change, the day is 23 or 25
//! hours long and its hour ticks are placed where those hours really fall.
//!
//! Geometry is in whole tenths of a pixel: the SVG gets coordinates with one decimal written by
//! integer formatting, which keeps float arithmetic and float printing out of this module.

use crate::display::{return_time, shown, Detail};
use crate::model::Status;
use crate::shift::shifts_around;
use crate::team::{team_order, TeamCache};
use crate::time::{LocalDateTime, LocalTime, Timestamp, ZoneOffsets};

// Lengths in tenths of a pixel.
pub const WIDTH: i64 = 3560;
const LABEL_WIDTH: i64 = 840;
const PLOT_LEFT: i64 = LABEL_WIDTH + 80;
const PLOT_WIDTH: i64 = WIDTH - PLOT_LEFT - 60;
const AXIS_HEIGHT: i64 = 160;
const ROW_HEIGHT: i64 = 220;
const BAR_HEIGHT: i64 = 120;
/// Names longer than this are cut, with an ellipsis, to fit the label column.
const MAX_LABEL_CHARS: usize = 12;

/// One teammate's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub member_id: String,
    pub name: String,
    /// Working time within the viewer's day, as x ranges `(from, to)`.
    pub bars: Vec<(i64, i64)>,
    pub online: bool,
    /// Out of office: no working hours drawn, the row marked absent.
    pub absent: bool,
    /// Their declared status; without a current declaration, online within their hours, else
    /// offline. The dot's colour (`status-…`), always with its word in the title.
    pub status: Status,
    /// When an offline teammate is back: their declared back-at, else their next shift.
    pub back_at: Option<Timestamp>,
    /// x of `back_at` when it falls within the viewer's day.
    pub back_x: Option<i64>,
    /// The row's description: "Ann · online · 09:00–17:00 Europe/Berlin", "… · offline · back
    /// Tue 09:00", "… · out of office · back 19 Dec".
    pub title: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub rows: Vec<Row>,
    pub now_x: i64,
    /// `(x, "06")` for the viewer's 00, 06, 12 and 18 o'clock.
    pub ticks: Vec<(i64, String)>,
}

/// The viewer's day `[midnight, next midnight)` containing `now`.
fn viewer_day(now: Timestamp, zone: &dyn ZoneOffsets) -> (Timestamp, Timestamp) {
    let date = LocalDateTime::at(now, zone).date;
    let midnight = |date| {
        LocalDateTime {
            date,
            time: LocalTime::hm(0, 0),
        }
        .to_instant(zone)
    };
    (midnight(date), midnight(date.add_days(1)))
}

/// The timeline of every member of the cache, for a viewer in `viewer_zone` at `now`, in the
/// Team view's order ([`team_order`]: the list beside it reads the same). An out-of-office
/// teammate's hours are not drawn: the row says they are away and when they are back.
pub fn timeline(
    cache: &TeamCache,
    now: Timestamp,
    viewer_zone: &dyn ZoneOffsets,
    zone_of: &dyn Fn(&str) -> Box<dyn ZoneOffsets>,
) -> Timeline {
    let (day_start, day_end) = viewer_day(now, viewer_zone);
    let span = (day_end.millis() - day_start.millis()).max(1);
    // Rounded to the nearest tenth of a pixel.
    let x = |at: Timestamp| {
        let offset = at.max(day_start).min(day_end).millis() - day_start.millis();
        PLOT_LEFT + (2 * offset * PLOT_WIDTH + span) / (2 * span)
    };
    let in_day = |at: Timestamp| day_start <= at && at <= day_end;
    let rows: Vec<Row> = team_order(cache, now, zone_of)
        .into_iter()
        .map(|(member, presence)| {
            let zone = zone_of(&member.timezone);
            let bars = match &member.working_hours {
                Some(hours) if !presence.out_of_office() => {
                    shifts_around(hours, now, zone.as_ref(), 2, 2)
                        .iter()
                        .filter(|s| s.end > day_start && s.start < day_end)
                        .map(|s| (x(s.start), x(s.end)))
                        .collect()
                }
                _ => Vec::new(),
            };
            let hours = member.working_hours.as_ref().map_or_else(
                || "hours not shared".to_string(),
                |h| format!("{}\u{2013}{} {}", h.start, h.end, member.timezone),
            );
            // The status in words beside its colour.
            let word = crate::features::badges::status_word(presence.status);
            let presence_text = match presence.back_at {
                Some(at) => format!(
                    "{word} \u{b7} back {}",
                    return_time(at, now, viewer_zone, Detail::Day)
                ),
                None => word.to_string(),
            };
            Row {
                member_id: member.id.clone(),
                name: shown(&member.display_name),
                bars,
                online: presence.reachable(),
                absent: presence.out_of_office(),
                status: presence.status,
                back_at: presence.back_at,
                back_x: presence.back_at.filter(|at| in_day(*at)).map(x),
                title: format!(
                    "{} \u{b7} {presence_text} \u{b7} {hours}",
                    shown(&member.display_name)
                ),
            }
        })
        .collect();
    let date = LocalDateTime::at(now, viewer_zone).date;
    let ticks = [(0, "00"), (6, "06"), (12, "12"), (18, "18")]
        .into_iter()
        .map(|(h, text)| {
            let at = LocalDateTime {
                date,
                time: LocalTime::hm(h, 0),
            }
            .to_instant(viewer_zone);
            (x(at), text.to_string())
        })
        .collect();
    Timeline {
        rows,
        now_x: x(now),
        ticks,
    }
}

/// One SVG element: a tag and attribute names from closed sets, text set as text.
#[derive(Clone, Debug, PartialEq)]
pub struct SvgNode {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub text: Option<String>,
    pub children: Vec<SvgNode>,
}

impl SvgNode {
    fn new(tag: &'static str, attrs: &[(&'static str, String)]) -> SvgNode {
        SvgNode {
            tag,
            attrs: attrs.to_vec(),
            text: None,
            children: Vec::new(),
        }
    }

    fn with_text(mut self, text: impl Into<String>) -> SvgNode {
        self.text = Some(text.into());
        self
    }

    fn push(&mut self, node: SvgNode) {
        self.children.push(node);
    }
}

/// A length in tenths of a pixel as an SVG number with one decimal.
fn num(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

fn label(name: &str) -> String {
    let mut chars = name.chars();
    let cut: String = chars.by_ref().take(MAX_LABEL_CHARS).collect();
    if chars.next().is_some() {
        // Paired again: the cut may drop a closer.
        shown(&format!("{}\u{2026}", cut.trim_end()))
    } else {
        cut
    }
}

impl Timeline {
    /// In tenths of a pixel.
    pub fn height(&self) -> i64 {
        AXIS_HEIGHT + ROW_HEIGHT * self.rows.len() as i64 + 40
    }

    /// The SVG: axis ticks, a row per teammate (status dot, name, bars, back marker, each row
    /// with a `<title>` for its tooltip and screen readers) and the "now" line on top. Classes
    /// (`tl-…`) are styled by the popup's stylesheet.
    pub fn to_svg(&self) -> SvgNode {
        let height = self.height();
        let (w, h) = (num(WIDTH), num(height));
        let mut svg = SvgNode::new(
            "svg",
            &[
                ("viewBox", format!("0 0 {w} {h}")),
                ("width", w),
                ("height", h),
                ("role", "img".into()),
                ("class", "timeline".into()),
            ],
        );
        svg.push(SvgNode::new("title", &[]).with_text("Working hours today, in your time"));
        let vertical = |x: i64, class: &str| {
            shape(
                "line",
                class,
                &[
                    ("x1", x),
                    ("x2", x),
                    ("y1", AXIS_HEIGHT - 40),
                    ("y2", height),
                ],
            )
        };
        for (x, text) in &self.ticks {
            svg.push(vertical(*x, "tl-tick"));
            svg.push(
                shape("text", "tl-axis", &[("x", *x), ("y", AXIS_HEIGHT - 60)])
                    .with_text(text.clone()),
            );
        }
        for (i, row) in self.rows.iter().enumerate() {
            let mid = AXIS_HEIGHT + ROW_HEIGHT * i as i64 + ROW_HEIGHT / 2;
            let row_class = match (row.online, row.absent) {
                (true, _) => "tl-row tl-online",
                (false, true) => "tl-row tl-offline tl-ooo",
                (false, false) => "tl-row tl-offline",
            };
            let dot_class = format!("tl-dot status-{}", row.status.as_str());
            let mut g = SvgNode::new(
                "g",
                &[
                    ("class", row_class.to_string()),
                    ("data-member", row.member_id.clone()),
                ],
            );
            g.push(SvgNode::new("title", &[]).with_text(row.title.clone()));
            g.push(shape(
                "circle",
                &dot_class,
                &[("cx", 50), ("cy", mid), ("r", 40)],
            ));
            g.push(
                shape("text", "tl-name", &[("x", 140), ("y", mid + 40)])
                    .with_text(label(&row.name)),
            );
            for (from, to) in &row.bars {
                let geometry = [
                    ("x", *from),
                    ("y", mid - BAR_HEIGHT / 2),
                    ("width", (to - from).max(10)),
                    ("height", BAR_HEIGHT),
                    ("rx", 30),
                ];
                g.push(shape("rect", "tl-bar", &geometry));
            }
            if row.absent {
                // Words where their hours would be: they are not working these hours.
                g.push(
                    shape(
                        "text",
                        "tl-absent-label",
                        &[("x", PLOT_LEFT + 20), ("y", mid + 40)],
                    )
                    .with_text("Out of office"),
                );
            }
            if let Some(x) = row.back_x {
                // A small triangle pointing down at the instant they are back.
                let tip = format!("M{} {}l4 -6h-8z", num(x), num(mid - BAR_HEIGHT / 2 + 10));
                g.push(SvgNode::new(
                    "path",
                    &[("d", tip), ("class", "tl-back".into())],
                ));
            }
            svg.push(g);
        }
        svg.push(vertical(self.now_x, "tl-now"));
        svg
    }
}

/// An element with a class and numeric geometry attributes.
fn shape(tag: &'static str, class: &str, geometry: &[(&'static str, i64)]) -> SvgNode {
    let mut attrs: Vec<(&'static str, String)> =
        geometry.iter().map(|(name, v)| (*name, num(*v))).collect();
    attrs.push(("class", class.to_string()));
    SvgNode {
        tag,
        attrs,
        text: None,
        children: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MemberState;
    use crate::model::tests::{sample, Tz};
    use crate::model::{DeclaredState, Handles, Member, Status, WorkingHours};
    use crate::time::{FixedOffset, Weekday};

    use crate::time::rfc3339 as t;

    fn member(id: &str, tz: &str, hours: Option<(u32, u32)>) -> Member {
        Member {
            id: id.into(),
            display_name: id.into(),
            handles: Handles::default(),
            timezone: tz.into(),
            working_hours: hours.map(|(s, e)| WorkingHours {
                days: Weekday::ALL.to_vec(),
                start: LocalTime::hm(s, 0),
                end: LocalTime::hm(e, 0),
            }),
        }
    }

    fn declare(cache: &mut TeamCache, id: &str, status: Status, back_at: Option<Timestamp>) {
        let mut declaration = sample();
        declaration.status = status;
        declaration.back_at = back_at;
        cache.states.insert(
            id.into(),
            MemberState {
                member_id: id.into(),
                version: 1,
                state: Some(DeclaredState {
                    declaration,
                    declared_at: t("2026-11-18T00:00:00Z"),
                    version: 1,
                }),
                acks: vec![],
                recipients: vec![],
            },
        );
    }

    fn zones(name: &str) -> Box<dyn ZoneOffsets> {
        match name.parse::<chrono_tz::Tz>() {
            Ok(tz) => Box::new(Tz(tz)),
            Err(_) => Box::new(FixedOffset(0)),
        }
    }

    /// x of an hour of the viewer's (UTC) 24-hour day.
    fn hx(hour: f64) -> i64 {
        PLOT_LEFT + (hour / 24.0 * PLOT_WIDTH as f64).round() as i64
    }

    /// Within a tenth of a pixel (one rounding step).
    fn close(a: i64, b: i64) -> bool {
        (a - b).abs() <= 1
    }

    fn cache() -> TeamCache {
        let mut cache = TeamCache::default();
        for m in [
            member("berlin", "Europe/Berlin", Some((9, 17))),
            member("kolkata", "Asia/Kolkata", Some((10, 18))),
            // A night shift 22:00–06:00 in New York: two bars in a UTC day.
            member("nyc", "America/New_York", Some((22, 6))),
            member("nohours", "UTC", None),
        ] {
            cache.members.insert(m.id.clone(), m);
        }
        cache
    }

    #[test]
    fn hours_map_into_the_viewers_day_with_overnight_wrap() {
        // Wednesday 2026-11-18 12:00 UTC, viewer in UTC.
        let tl = timeline(&cache(), t("2026-11-18T12:00:00Z"), &FixedOffset(0), &zones);
        let ids: Vec<_> = tl.rows.iter().map(|r| r.member_id.as_str()).collect();
        // The Team view's order: online now (Berlin 08–16, Kolkata 04:30–12:30 UTC) by
        // name, then by when back (New York at 03:00 tomorrow), unknown last.
        assert_eq!(ids, ["berlin", "kolkata", "nyc", "nohours"]);
        let zone = FixedOffset(0);
        let list = crate::team::roster_rows(&cache(), t("2026-11-18T12:00:00Z"), &zone, &zones);
        let list: Vec<_> = list.iter().map(|r| r.member_id.as_str()).collect();
        assert_eq!(list, ids, "the list beside it reads the same");
        let row = |id: &str| tl.rows.iter().find(|r| r.member_id == id).unwrap();
        let berlin = &row("berlin").bars; // 09–17 CET = 08–16 UTC
        assert_eq!(berlin.len(), 1);
        assert!(close(berlin[0].0, hx(8.0)) && close(berlin[0].1, hx(16.0)));
        let kolkata = &row("kolkata").bars; // 10–18 IST = 04:30–12:30 UTC
        assert!(close(kolkata[0].0, hx(4.5)) && close(kolkata[0].1, hx(12.5)));
        // New York 22:00–06:00 EST = 03:00–11:00 UTC: within the day, one bar.
        let nyc = &row("nyc").bars;
        assert_eq!(nyc.len(), 1);
        assert!(close(nyc[0].0, hx(3.0)) && close(nyc[0].1, hx(11.0)));
        assert!(row("nohours").bars.is_empty());
        assert!(row("nohours").title.ends_with("hours not shared"));
        assert!(close(tl.now_x, hx(12.0)));
        let ticks: Vec<_> = tl.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(ticks, ["00", "06", "12", "18"]);
        assert!(close(tl.ticks[1].0, hx(6.0)));
    }

    #[test]
    fn a_shift_across_the_viewers_midnight_is_two_bars() {
        // Viewer in Tokyo (UTC+9): New York's 03:00–11:00 UTC night shift is 12:00–20:00
        // Tokyo; Berlin's 08:00–16:00 UTC is 17:00–01:00 Tokyo, so it wraps: the morning's
        // end of yesterday's shift (00:00–01:00) and the evening's start (17:00–24:00).
        let tokyo = Tz(chrono_tz::Asia::Tokyo);
        let tl = timeline(&cache(), t("2026-11-18T03:00:00Z"), &tokyo, &zones);
        let berlin = &tl
            .rows
            .iter()
            .find(|r| r.member_id == "berlin")
            .unwrap()
            .bars;
        assert_eq!(berlin.len(), 2, "{berlin:?}");
        assert!(close(berlin[0].0, hx(0.0)) && close(berlin[0].1, hx(1.0)));
        assert!(close(berlin[1].0, hx(17.0)) && close(berlin[1].1, hx(24.0)));
    }

    #[test]
    fn online_now_and_back_markers() {
        let mut c = cache();
        let now = t("2026-11-18T13:00:00Z");
        // Berlin is in hours and undeclared: online. Kolkata's hours ended: back tomorrow
        // 10:00 IST (04:30Z), outside the viewer's day: no marker, but the title says so.
        // NYC declared away, back at 15:00Z today: a marker.
        declare(&mut c, "nyc", Status::Away, Some(t("2026-11-18T15:00:00Z")));
        // "nohours" declared focus: online though hours are unknown.
        declare(&mut c, "nohours", Status::Focus, None);
        let tl = timeline(&c, now, &FixedOffset(0), &zones);
        let row = |id: &str| tl.rows.iter().find(|r| r.member_id == id).unwrap().clone();
        assert!(row("berlin").online && row("nohours").online);
        assert!(!row("kolkata").online && !row("nyc").online);
        assert_eq!(row("kolkata").back_at, Some(t("2026-11-19T04:30:00Z")));
        assert_eq!(row("kolkata").back_x, None);
        assert!(row("kolkata").title.contains("back Thu 04:30"));
        assert!(close(row("nyc").back_x.unwrap(), hx(15.0)));
        assert_eq!(row("berlin").back_at, None);
        // Each status in words beside its dot's colour.
        assert!(row("kolkata")
            .title
            .contains(" \u{b7} offline \u{b7} back Thu 04:30 \u{b7} "));
        assert!(row("nyc")
            .title
            .contains(" \u{b7} away \u{b7} back Wed 15:00"));
        assert!(row("berlin").title.contains(" \u{b7} online \u{b7} "));
        let svg = tl.to_svg();
        let dots: Vec<&str> = svg
            .children
            .iter()
            .flat_map(|g| &g.children)
            .filter(|n| n.tag == "circle")
            .flat_map(|n| n.attrs.iter().filter(|(k, _)| *k == "class"))
            .map(|(_, v)| v.as_str())
            .collect();
        for want in ["away", "focus", "online", "offline"] {
            assert!(
                dots.contains(&format!("tl-dot status-{want}").as_str()),
                "{dots:?}"
            );
        }
        // Two weeks out of office: the return is a date.
        declare(&mut c, "nyc", Status::Ooo, Some(t("2026-12-02T15:00:00Z")));
        let tl = timeline(&c, now, &FixedOffset(0), &zones);
        let nyc = tl.rows.iter().find(|r| r.member_id == "nyc").unwrap();
        assert_eq!(nyc.status, Status::Ooo);
        assert!(
            nyc.title
                .contains(" \u{b7} out of office \u{b7} back 2 Dec \u{b7} "),
            "{}",
            nyc.title
        );
        // A declaration of online outside hours wins over the hours.
        declare(&mut c, "kolkata", Status::Online, None);
        let tl = timeline(&c, now, &FixedOffset(0), &zones);
        assert!(tl.rows.iter().any(|r| r.member_id == "kolkata" && r.online));
    }

    #[test]
    fn out_of_office_rows_are_absent_without_working_hours() {
        let mut c = cache();
        let now = t("2026-11-18T12:00:00Z");
        declare(
            &mut c,
            "berlin",
            Status::Ooo,
            Some(t("2026-12-02T08:00:00Z")),
        );
        let tl = timeline(&c, now, &FixedOffset(0), &zones);
        let berlin = tl.rows.iter().find(|r| r.member_id == "berlin").unwrap();
        assert!(berlin.absent && !berlin.online && berlin.bars.is_empty());
        assert!(
            berlin
                .title
                .contains(" \u{b7} out of office \u{b7} back 2 Dec \u{b7} "),
            "{}",
            berlin.title
        );
        let ids: Vec<_> = tl.rows.iter().map(|r| r.member_id.as_str()).collect();
        assert_eq!(
            ids,
            ["kolkata", "nyc", "berlin", "nohours"],
            "back in 14 days"
        );
        let svg = tl.to_svg();
        let group = svg
            .children
            .iter()
            .find(|n| n.attrs.contains(&("data-member", "berlin".to_string())))
            .unwrap();
        assert!(
            group.children.iter().all(|n| n.tag != "rect"),
            "no hours drawn"
        );
        assert!(group
            .children
            .iter()
            .any(|n| n.text.as_deref() == Some("Out of office")));
        assert!(group
            .attrs
            .contains(&("class", "tl-row tl-offline tl-ooo".to_string())));
    }

    #[test]
    fn a_dst_day_is_25_hours_long() {
        // Viewer in Berlin on Sunday 2026-10-25 (fall back): midnight CEST is 22:00Z the day
        // before, the next midnight (CET) 23:00Z; 12:00 CET is 11:00Z, 13 of the 25 hours in.
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let tl = timeline(
            &TeamCache::default(),
            t("2026-10-25T11:00:00Z"),
            &berlin,
            &zones,
        );
        assert!(close(tl.now_x, PLOT_LEFT + 13 * PLOT_WIDTH / 25));
        let noon = tl.ticks.iter().find(|(_, l)| l == "12").unwrap().0;
        assert!(close(noon, tl.now_x));
    }

    #[test]
    fn coordinates_have_one_decimal() {
        assert_eq!(num(0), "0.0");
        assert_eq!(num(123), "12.3");
        assert_eq!(num(1000), "100.0");
        assert_eq!(num(-4), "-0.4");
    }

    #[test]
    fn the_svg_uses_only_known_tags_and_text() {
        let mut c = cache();
        declare(&mut c, "nyc", Status::Away, Some(t("2026-11-18T15:00:00Z")));
        c.members.get_mut("berlin").unwrap().display_name =
            "<script>alert(1)</script> Very Long Name".into();
        let svg = timeline(&c, t("2026-11-18T12:00:00Z"), &FixedOffset(0), &zones).to_svg();
        fn walk(n: &SvgNode, tags: &mut Vec<&'static str>, texts: &mut Vec<String>) {
            tags.push(n.tag);
            texts.extend(n.text.clone());
            for c in &n.children {
                walk(c, tags, texts);
            }
        }
        let (mut tags, mut texts) = (Vec::new(), Vec::new());
        walk(&svg, &mut tags, &mut texts);
        for tag in &tags {
            assert!(
                ["svg", "title", "line", "text", "g", "circle", "rect", "path"].contains(tag),
                "{tag}"
            );
        }
        assert_eq!(
            tags.iter().filter(|t| **t == "g").count(),
            4,
            "a group per row"
        );
        assert_eq!(
            tags.iter().filter(|t| **t == "path").count(),
            1,
            "one back marker"
        );
        assert!(texts.contains(&"<script>aler…".to_string()), "cut, as text");
        assert_eq!(svg.attrs[0], ("viewBox", "0 0 356.0 108.0".to_string()));
        // Berlin's 08:00–16:00 UTC bar, in the first row (online, and "<" sorts first).
        let berlin = svg
            .children
            .iter()
            .find(|n| n.attrs.contains(&("data-member", "berlin".to_string())))
            .unwrap();
        let bar = berlin.children.iter().find(|n| n.tag == "rect").unwrap();
        let attr = |name: &str| bar.attrs.iter().find(|a| a.0 == name).unwrap().1.as_str();
        assert_eq!(
            ["x", "y", "width", "height"].map(attr),
            ["178.0", "21.0", "86.0", "12.0"]
        );
    }
}
