//! What the views say about a declared item's live state (issue 16): one state line ("Now
//! merged · labels: ci · GitHub 09:12") and one drift line ("merged 03:12 by Bob, after Ann
//! declared it needs review"), with the tracker's handles named as the team knows them. Pure:
//! the popup's Team view and digest, the banner and the badge card show these texts as text.

use crate::api::{item_key, name_key};
use crate::display::shown;
use crate::live::{drift, drift_text, key, state_text, Drift, LiveMap, Observed, Source};
use crate::model::{Declaration, WorkItem};
use crate::team::TeamCache;
use crate::time::Timestamp;

/// One declared item's live state, as the views say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemLive {
    /// "Now open · CI failing · assigned to Cleo Park · “Retry exports” · labels: ci ·
    /// GitHub 09:12": the state, the title when it differs from the declared one, the labels,
    /// and who saw it when. User text in it is bidi-paired.
    pub state: String,
    /// What changed since the declaration, `None` when nothing did.
    pub drift: Option<String>,
}

/// The teammate a tracker handle names: the one member holding it as a handle on any tracker
/// (compared as `api::name_key` compares names), else the handle as the source gave it. Display
/// names are not matched: a stranger's login may be a teammate's name.
pub fn name_of(team: &TeamCache, handle: &str) -> String {
    let wanted = name_key(handle);
    let mut holders = team.members.values().filter(|m| {
        let h = &m.handles;
        [&h.github, &h.gitlab, &h.jira, &h.linear]
            .into_iter()
            .flatten()
            .any(|held| name_key(held) == wanted)
    });
    match (holders.next(), holders.next()) {
        (Some(m), None) => shown(&m.display_name),
        _ => shown(handle),
    }
}

fn source_word(source: Source) -> &'static str {
    match source {
        Source::Github => "GitHub",
        Source::Gitlab => "GitLab",
        Source::Page => "seen on the page",
    }
}

/// The live state of `member_id`'s declared `item`, if a source saw it. `declarer` is how the
/// drift line names who declared it ("Ann Ito", or "you" for the user's own); `time` says an
/// instant in the reader's zone.
pub fn item_live(
    live: &LiveMap,
    team: &TeamCache,
    member_id: &str,
    declarer: &str,
    item: &WorkItem,
    time: &dyn Fn(Timestamp) -> String,
) -> Option<ItemLive> {
    let tracked = live.get(&key(member_id, item_key(item)))?;
    let name = |h: &String| name_of(team, h);
    let names = |hs: &Option<Vec<String>>| hs.as_ref().map(|hs| hs.iter().map(name).collect());
    let now = &tracked.current;
    // Only what `state_text` reads, the assignees named.
    let mut named = Observed::new(now.kind, now.lifecycle, now.source, now.observed_at);
    (named.checks, named.review) = (now.checks, now.review);
    named.assignees = names(&now.assignees);
    let mut parts = vec![format!("Now {}", state_text(&named))];
    if let Some(title) = now.title.as_deref().map(str::trim) {
        if !title.is_empty() && title != item.title.trim() {
            parts.push(format!("\u{201c}{}\u{201d}", shown(title)));
        }
    }
    if let Some(labels) = now.labels.as_ref().filter(|l| !l.is_empty()) {
        let labels: Vec<String> = labels.iter().map(|l| shown(l)).collect();
        parts.push(format!("labels: {}", labels.join(", ")));
    }
    parts.push(format!(
        "{} {}",
        source_word(now.source),
        time(now.observed_at)
    ));
    let drifts: Vec<Drift> = drift(tracked)
        .into_iter()
        .map(|d| match d {
            Drift::Merged { at, by } => Drift::Merged {
                at,
                by: by.as_ref().map(name),
            },
            Drift::Closed { at, by } => Drift::Closed {
                at,
                by: by.as_ref().map(name),
            },
            Drift::Reassigned { to } => Drift::Reassigned {
                to: to.iter().map(name).collect(),
            },
            d => d,
        })
        .collect();
    Some(ItemLive {
        state: parts.join(" \u{b7} "),
        drift: drift_text(&drifts, &shown(declarer), item.state, time),
    })
}

/// The user's own declared items that changed since they declared them: the digest's "Your
/// items" group, which leads it (a shift starts with what became of one's own hand-over).
pub fn own_changes<'a>(
    live: &LiveMap,
    team: &TeamCache,
    me: &str,
    own: Option<&'a Declaration>,
    time: &dyn Fn(Timestamp) -> String,
) -> Vec<(&'a WorkItem, ItemLive)> {
    own.into_iter()
        .flat_map(|d| &d.items)
        .filter_map(|item| {
            let live = item_live(live, team, me, "you", item, time)?;
            live.drift.is_some().then_some((item, live))
        })
        .collect()
}

/// The collapsed row's marker of changed items: "1 item changed since declared", `None` when
/// none did.
pub fn changed_mark(changed: usize) -> Option<String> {
    match changed {
        0 => None,
        1 => Some("1 item changed since declared".into()),
        n => Some(format!("{n} items changed since declared")),
    }
}

/// The digest's chip when the user's own items changed and no hand-off waits: hand-offs come
/// first (they ask for an acknowledgement), then the user's own changed items, then the
/// teammates' updates (`digest::chip_text` says the other two).
pub fn chip_with_own(
    chip: Option<String>,
    handoffs_waiting: bool,
    own_changed: usize,
) -> Option<String> {
    match own_changed {
        0 => chip,
        _ if handoffs_waiting => chip,
        1 => Some("1 of your items changed".into()),
        n => Some(format!("{n} of your items changed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{cache, declaration, github, item, member};
    use crate::live::{Checks, Kind, Lifecycle, Review, Tracked};
    use crate::model::{ItemState, Status};
    use crate::time::rfc3339;

    const PR: &str = "https://github.com/o/r/pull/12";

    fn at(hm: &str) -> Timestamp {
        rfc3339(&format!("2026-12-04T{hm}:00Z"))
    }

    fn hm(t: Timestamp) -> String {
        t.to_string()[11..16].to_string()
    }

    fn team() -> TeamCache {
        cache(vec![
            (member("a", "Ann Ito", github("ann"), "UTC"), None),
            (member("b", "Bob", github("bobby"), "UTC"), None),
            (member("c", "Cleo Park", github("cleo"), "UTC"), None),
            // A display name that is someone else's login names no one.
            (member("d", "Stranger", github("dee"), "UTC"), None),
        ])
    }

    fn open(when: &str) -> Observed {
        let mut o = Observed::new(Kind::Change, Lifecycle::Open, Source::Github, at(when));
        o.assignees = Some(vec!["ann".into()]);
        o.checks = Some(Checks::Pending);
        o.review = Some(Review::Required);
        o
    }

    /// Ann declared PR at 17:42; first seen as `first`, now `now`.
    fn live_of(first: Observed, now: Observed) -> LiveMap {
        let t = Tracked::observe(None, at("17:42"), first);
        let t = Tracked::observe(Some(t), at("17:42"), now);
        [(key("a", PR), t)].into()
    }

    fn drift_line(now: Observed) -> Option<String> {
        let live = live_of(open("18:00"), now);
        let pr = item(PR, ItemState::Waiting);
        item_live(&live, &team(), "a", "Ann Ito", &pr, &hm)
            .unwrap()
            .drift
    }

    #[test]
    fn every_drift_is_said_with_names_the_team_knows() {
        let mut merged = open("19:00");
        merged.lifecycle = Lifecycle::Merged;
        merged.ended_at = Some(at("18:55"));
        merged.ended_by = Some("BOBBY".into());
        let mut closed = merged.clone();
        closed.lifecycle = Lifecycle::Closed;
        closed.ended_by = Some("stranger".into());
        let mut reassigned = open("19:00");
        reassigned.assignees = Some(vec!["cleo".into(), "zed".into()]);
        let mut unassigned = open("19:00");
        unassigned.assignees = Some(vec![]);
        let mut red = open("19:00");
        red.checks = Some(Checks::Failing);
        let mut approved = open("19:00");
        approved.review = Some(Review::Approved);
        let mut refused = open("19:00");
        refused.review = Some(Review::ChangesRequested);
        let after = ", after Ann Ito declared it waiting";
        for (now, want) in [
            (merged, "merged 18:55 by Bob"),
            (closed, "closed 18:55 by stranger"),
            (reassigned, "reassigned to Cleo Park, zed"),
            (unassigned, "unassigned"),
            (red, "CI failing"),
            (approved, "approved"),
            (refused, "changes requested"),
        ] {
            assert_eq!(drift_line(now).as_deref(), Some(&*format!("{want}{after}")));
        }
        assert_eq!(drift_line(open("19:00")), None);
    }

    #[test]
    fn reopened_and_green_again_are_drift_too() {
        let pr = item(PR, ItemState::Blocked);
        let mut closed = open("18:00");
        closed.lifecycle = Lifecycle::Closed;
        let live = live_of(closed, open("19:00"));
        let line = item_live(&live, &team(), "a", "Ann Ito", &pr, &hm).unwrap();
        assert_eq!(
            line.drift.as_deref(),
            Some("reopened, after Ann Ito declared it blocked")
        );
        let mut red = open("18:00");
        red.checks = Some(Checks::Failing);
        let mut green = open("19:00");
        green.checks = Some(Checks::Passing);
        let line = item_live(&live_of(red, green), &team(), "a", "Ann", &pr, &hm).unwrap();
        assert_eq!(
            line.drift.as_deref(),
            Some("CI passing again, after Ann declared it blocked")
        );
    }

    #[test]
    fn the_state_line_says_what_it_is_now_and_who_saw_it_when() {
        let mut now = open("19:05");
        now.title = Some("Retry exports, take 2".into());
        now.labels = Some(vec!["ci".into(), "\u{202e}evil".into()]);
        now.assignees = Some(vec!["cleo".into()]);
        now.source = Source::Page;
        let pr = item(PR, ItemState::Waiting); // declared as "Fix login"
        let line = item_live(
            &live_of(open("18:00"), now.clone()),
            &team(),
            "a",
            "Ann",
            &pr,
            &hm,
        )
        .unwrap();
        assert_eq!(
            line.state,
            "Now open · CI running · review required · assigned to Cleo Park · \
             “Retry exports, take 2” · labels: ci, \u{202e}evil\u{202c} · seen on the page 19:05"
        );
        // The declared title again, no labels, seen through the API: neither is repeated.
        now.title = Some("Fix login".into());
        now.labels = Some(vec![]);
        now.source = Source::Gitlab;
        let line = item_live(&live_of(open("18:00"), now), &team(), "a", "Ann", &pr, &hm).unwrap();
        assert!(line.state.ends_with("assigned to Cleo Park · GitLab 19:05"));
    }

    #[test]
    fn only_the_declarers_own_entry_counts() {
        let live = live_of(open("18:00"), open("19:00"));
        let pr = item(PR, ItemState::Waiting);
        assert!(item_live(&live, &team(), "b", "Bob", &pr, &hm).is_none());
        let other = item("https://github.com/o/r/pull/13", ItemState::Waiting);
        assert!(item_live(&live, &team(), "a", "Ann", &other, &hm).is_none());
    }

    #[test]
    fn own_changed_items_are_listed_in_declaration_order_and_lead_the_chip() {
        let mut d = declaration(Status::Offline);
        let calm = item("https://github.com/o/r/pull/1", ItemState::Waiting);
        let merged_pr = item("https://github.com/o/r/pull/2", ItemState::Waiting);
        let red_pr = item("https://github.com/o/r/pull/3", ItemState::InProgress);
        d.items = vec![calm.clone(), merged_pr.clone(), red_pr.clone()];
        let seen = |now: Observed| {
            let t = Tracked::observe(None, at("17:42"), open("18:00"));
            Tracked::observe(Some(t), at("17:42"), now)
        };
        let mut merged = open("19:00");
        merged.lifecycle = Lifecycle::Merged;
        let mut red = open("19:00");
        red.checks = Some(Checks::Failing);
        let live: LiveMap = [
            (key("a", &calm.url), seen(open("19:00"))),
            (key("a", &merged_pr.url), seen(merged)),
            (key("a", &red_pr.url), seen(red)),
        ]
        .into();
        let own = own_changes(&live, &team(), "a", Some(&d), &hm);
        let lines: Vec<_> = own
            .iter()
            .map(|(i, l)| (i.url.as_str(), l.drift.as_deref().unwrap()))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "https://github.com/o/r/pull/2",
                    "merged, after you declared it waiting"
                ),
                (
                    "https://github.com/o/r/pull/3",
                    "CI failing, after you declared it in progress"
                ),
            ]
        );
        assert!(own_changes(&live, &team(), "b", Some(&d), &hm).is_empty());
        assert!(own_changes(&live, &team(), "a", None, &hm).is_empty());
        let updates = Some("3 updates since you were away".to_string());
        assert_eq!(
            chip_with_own(updates.clone(), false, 2).as_deref(),
            Some("2 of your items changed")
        );
        assert_eq!(
            chip_with_own(None, false, 1).as_deref(),
            Some("1 of your items changed")
        );
        let handoffs = Some("1 hand-off for you".to_string());
        assert_eq!(chip_with_own(handoffs.clone(), true, 2), handoffs);
        assert_eq!(chip_with_own(updates.clone(), false, 0), updates);
        assert_eq!(changed_mark(0), None);
        assert_eq!(
            changed_mark(2).as_deref(),
            Some("2 items changed since declared")
        );
    }
}
