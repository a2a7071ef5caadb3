//! The end-of-day declaration, pre-filled: items the popup proposes, each added only when the
//! user clicks it. Two sources: the pages the user viewed today (the activity log the
//! background worker keeps from the content scripts), newest first, one per item; and the
//! unfinished items of their last declaration, carried over with their state and note. Items
//! the draft already lists are not proposed. Pure.

use crate::draft::{item_ref, Draft, ItemDraft};
use crate::model::{Declaration, ItemState, WorkingHours};
use crate::shift::shifts_around;
use crate::time::{LocalDateTime, LocalTime, Timestamp, ZoneOffsets};

/// One page of the activity log, as prefill needs it. The log's own entry type implements
/// this, so the log can change shape without prefill changing.
pub trait Viewed {
    fn url(&self) -> &str;
    /// The item's reference (`github.com/o/r/pull/12`); empty when the page is no item.
    fn canonical_ref(&self) -> &str;
    fn title(&self) -> &str;
    fn viewed_at(&self) -> Timestamp;
}

/// Where a proposal comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Viewed today.
    Today,
    /// Not done in the last declaration.
    Unfinished,
}

/// A proposed work item: what "Add" puts into the draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub item: ItemDraft,
    pub source: Source,
}

/// The key that tells two spellings of one item apart from two items: the canonical reference,
/// or the URL itself when the URL names no item.
fn key(canonical_ref: &str, url: &str) -> String {
    match canonical_ref {
        "" => item_ref(url).unwrap_or_else(|| url.trim().to_string()),
        r => r.to_string(),
    }
}

/// Where "today" starts for the activity log: local midnight, or the start of a shift that
/// began before it (a night shift's items from 22:00 yesterday are today's).
pub fn today_from(hours: &WorkingHours, zone: &dyn ZoneOffsets, now: Timestamp) -> Timestamp {
    let midnight = LocalDateTime {
        date: LocalDateTime::at(now, zone).date,
        time: LocalTime::hm(0, 0),
    }
    .to_instant(zone);
    shifts_around(hours, now, zone, 1, 0)
        .into_iter()
        .map(|s| s.start)
        .filter(|start| *start <= now && now.millis() - start.millis() < 24 * 3_600_000)
        .fold(midnight, Timestamp::min)
}

/// The proposals: today's items (viewed at or after `today_from`) newest first, one per
/// item, then the last declaration's unfinished items in their order. An item in both lists
/// is proposed once, at its place among today's, carried over with its state and note.
pub fn suggestions<V: Viewed>(
    activity: &[V],
    today_from: Timestamp,
    last: Option<&Declaration>,
    draft: &Draft,
) -> Vec<Suggestion> {
    // A list, not a set: a few dozen keys, and no hashing code in the wasm module.
    let mut seen: Vec<String> = draft.items.iter().map(|i| key("", &i.url)).collect();
    let unfinished: Vec<(String, ItemDraft)> = last
        .map(|d| d.items.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|i| i.state != ItemState::Done)
        .map(|i| {
            let item = ItemDraft {
                url: i.url.clone(),
                title: i.title.clone(),
                note: i.note.clone(),
                state: i.state,
                handoff_to: i.handoff_to.clone().unwrap_or_default(),
            };
            (key(&i.canonical_ref, &i.url), item)
        })
        .collect();

    let mut today: Vec<&V> = activity
        .iter()
        .filter(|v| v.viewed_at() >= today_from)
        .collect();
    // Newest first; equal times keep the log's order.
    today.sort_by_key(|v| std::cmp::Reverse(v.viewed_at()));
    let mut out = Vec::new();
    for v in today {
        let k = key(v.canonical_ref(), v.url());
        if seen.contains(&k) {
            continue;
        }
        seen.push(k.clone());
        out.push(match unfinished.iter().find(|(uk, _)| *uk == k) {
            Some((_, item)) => Suggestion {
                item: item.clone(),
                source: Source::Unfinished,
            },
            None => Suggestion {
                item: ItemDraft {
                    url: v.url().to_string(),
                    title: v.title().trim().to_string(),
                    ..ItemDraft::default()
                },
                source: Source::Today,
            },
        });
    }
    for (k, item) in unfinished {
        if !seen.contains(&k) {
            seen.push(k);
            out.push(Suggestion {
                item,
                source: Source::Unfinished,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{sample, Tz};
    use crate::model::WorkItem;
    use crate::time::Weekday;

    struct Page(&'static str, &'static str, &'static str, i64);

    impl Viewed for Page {
        fn url(&self) -> &str {
            self.0
        }
        fn canonical_ref(&self) -> &str {
            self.1
        }
        fn title(&self) -> &str {
            self.2
        }
        fn viewed_at(&self) -> Timestamp {
            Timestamp(self.3 * 60_000)
        }
    }

    fn urls(s: &[Suggestion]) -> Vec<(&str, Source)> {
        s.iter().map(|s| (s.item.url.as_str(), s.source)).collect()
    }

    fn last(items: Vec<(&str, ItemState)>) -> Declaration {
        let mut d = sample();
        d.items = items
            .into_iter()
            .map(|(url, state)| WorkItem {
                url: url.into(),
                canonical_ref: item_ref(url).unwrap_or_default(),
                title: format!("T {url}"),
                note: "carried note".into(),
                state,
                handoff_to: None,
            })
            .collect();
        d
    }

    #[test]
    fn todays_items_newest_first_once_each() {
        let log = [
            Page(
                "https://github.com/o/r/pull/1",
                "github.com/o/r/pull/1",
                "PR 1 ",
                100,
            ),
            Page(
                "https://github.com/o/r/issues/7",
                "github.com/o/r/issues/7",
                "Bug",
                120,
            ),
            // The same PR's files tab, later: one item, at its latest view.
            Page(
                "https://github.com/o/r/pull/1/files",
                "github.com/o/r/pull/1",
                "PR 1",
                130,
            ),
            // Yesterday: not today's.
            Page(
                "https://github.com/o/r/pull/2",
                "github.com/o/r/pull/2",
                "PR 2",
                10,
            ),
        ];
        let s = suggestions(&log, Timestamp(60 * 60_000), None, &Draft::default());
        assert_eq!(
            urls(&s),
            [
                ("https://github.com/o/r/pull/1/files", Source::Today),
                ("https://github.com/o/r/issues/7", Source::Today),
            ]
        );
        assert_eq!(s[0].item.title, "PR 1");
        assert_eq!(s[0].item.state, ItemState::InProgress);
    }

    #[test]
    fn unfinished_items_carry_over_and_the_draft_is_respected() {
        let log = [
            Page(
                "https://github.com/o/r/pull/1",
                "github.com/o/r/pull/1",
                "PR 1",
                100,
            ),
            Page(
                "https://github.com/o/r/pull/3",
                "github.com/o/r/pull/3",
                "PR 3",
                110,
            ),
        ];
        let last = last(vec![
            ("https://github.com/o/r/pull/3", ItemState::Blocked),
            ("https://github.com/o/r/pull/4", ItemState::Done),
            ("https://github.com/o/r/pull/5", ItemState::NeedsReview),
            ("https://github.com/o/r/pull/6", ItemState::Waiting),
        ]);
        let mut draft = Draft::default();
        // Listed already, in another spelling: not proposed again.
        draft.add_item("https://www.github.com/o/r/pull/6/", "");
        let s = suggestions(&log, Timestamp(0), Some(&last), &draft);
        assert_eq!(
            urls(&s),
            [
                // PR 3 was viewed today and is unfinished: once, with its state and note.
                ("https://github.com/o/r/pull/3", Source::Unfinished),
                ("https://github.com/o/r/pull/1", Source::Today),
                ("https://github.com/o/r/pull/5", Source::Unfinished),
            ]
        );
        assert_eq!(s[0].item.state, ItemState::Blocked);
        assert_eq!(s[0].item.note, "carried note");
        // Adding a suggestion is the popup's job; once added it is no longer proposed.
        draft.add_item(&s[1].item.url, &s[1].item.title);
        let again = suggestions(&log, Timestamp(0), Some(&last), &draft);
        assert_eq!(again.len(), 2);
    }

    #[test]
    fn pages_without_an_item_reference_are_keyed_by_url() {
        let log = [
            Page("https://example.test/a", "", "A", 5),
            Page("https://example.test/a", "", "A again", 6),
            Page("https://example.test/b", "", "B", 7),
        ];
        let s = suggestions(&log, Timestamp(0), None, &Draft::default());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].item.title, "B");
    }

    #[test]
    fn today_starts_at_midnight_or_at_a_night_shift_that_began_yesterday() {
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let t = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let day = WorkingHours::default();
        // Friday 18:00 Berlin: since Friday 00:00 Berlin.
        assert_eq!(
            today_from(&day, &berlin, t("2026-11-27T17:00:00Z")),
            t("2026-11-26T23:00:00Z")
        );
        let night = WorkingHours {
            days: Weekday::ALL.to_vec(),
            start: LocalTime::hm(22, 0),
            end: LocalTime::hm(6, 0),
        };
        // Saturday 05:00 Berlin, in the shift that began Friday 22:00.
        assert_eq!(
            today_from(&night, &berlin, t("2026-11-28T04:00:00Z")),
            t("2026-11-27T21:00:00Z")
        );
    }
}
