//! Live item state (issue 16), pure: what a declared pull/merge request or issue is *now*, as
//! one source saw it, and what changed since it was declared ("drift"). Sources fill
//! [`Observed`]: a connected GitHub or GitLab account (batched API reads, worker) or the
//! tracker page the user has open (the content script's scan). The worker keeps one
//! [`Tracked`] per item; the popup, the digest, the banner and the badge card ask [`drift`]
//! and say it with [`drift_text`].
//!
//! What "since it was declared" means: a declaration is a snapshot without the items' live
//! state (the wire format does not change), so each viewer pins a **baseline**, the first
//! state it observed while that declaration stood ([`Tracked::observe`]). A change from the
//! baseline is drift. Changes a source dates (merged at, closed at, reviewed at) count from
//! the declaration's own time instead, so a PR merged overnight is drift even when the
//! viewer first looks in the morning.

pub mod github;
pub mod gitlab;
mod reply;

use crate::model::ItemState;
use crate::team::TeamCache;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A pull or merge request, or an issue (Jira and Linear tickets are issues).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Change,
    Issue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    Open,
    /// A draft pull or merge request.
    Draft,
    Merged,
    Closed,
}

impl Lifecycle {
    fn ended(self) -> bool {
        matches!(self, Lifecycle::Merged | Lifecycle::Closed)
    }

    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::Open => "open",
            Lifecycle::Draft => "draft",
            Lifecycle::Merged => "merged",
            Lifecycle::Closed => "closed",
        }
    }
}

/// The review decision of a pull or merge request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Approved,
    ChangesRequested,
    Required,
}

/// The combined CI state of a change's head commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checks {
    Pending,
    Passing,
    Failing,
}

/// Who saw the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Github,
    Gitlab,
    /// The tracker page the user had open.
    Page,
}

/// One item's state as one source saw it. A field a source cannot see is `None` (a page
/// without its reviewers shown says nothing about them), never an empty guess.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub kind: Kind,
    /// The item's title now, as the source shows it (user text: shown as text only).
    #[serde(default)]
    pub title: Option<String>,
    /// Its labels now (user text).
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub review: Option<Review>,
    /// When the deciding review was given, where the source says.
    #[serde(default)]
    pub reviewed_at: Option<Timestamp>,
    #[serde(default)]
    pub checks: Option<Checks>,
    /// Handles (login, username, display name), sorted, without repeats.
    #[serde(default)]
    pub assignees: Option<Vec<String>>,
    #[serde(default)]
    pub reviewers: Option<Vec<String>>,
    /// When it merged or closed, and who did it, where the source says.
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
    #[serde(default)]
    pub ended_by: Option<String>,
    pub observed_at: Timestamp,
    pub source: Source,
}

impl Observed {
    /// An open item seen by `source` at `at`, every optional field unknown.
    pub fn new(kind: Kind, lifecycle: Lifecycle, source: Source, at: Timestamp) -> Observed {
        Observed {
            kind,
            title: None,
            labels: None,
            lifecycle,
            review: None,
            reviewed_at: None,
            checks: None,
            assignees: None,
            reviewers: None,
            ended_at: None,
            ended_by: None,
            observed_at: at,
            source,
        }
    }

    /// What a reader is shown of it: all of it but when and by which source it was seen.
    fn shown(&self) -> Observed {
        Observed {
            observed_at: Timestamp(0),
            source: Source::Page,
            ..self.clone()
        }
    }

    /// Takes what `newer` knows and keeps what only this one knew: a page that shows no
    /// reviewers does not erase the API's.
    fn merged_with(&self, newer: &Observed) -> Observed {
        let mut out = newer.clone();
        let keep = |old: &Option<Vec<String>>, new: &mut Option<Vec<String>>| {
            if new.is_none() {
                new.clone_from(old);
            }
        };
        keep(&self.assignees, &mut out.assignees);
        keep(&self.reviewers, &mut out.reviewers);
        keep(&self.labels, &mut out.labels);
        if out.title.is_none() {
            out.title.clone_from(&self.title);
        }
        out.review = out.review.or(self.review);
        out.reviewed_at = out.reviewed_at.or(self.reviewed_at);
        out.checks = out.checks.or(self.checks);
        if out.lifecycle == self.lifecycle {
            out.ended_at = out.ended_at.or(self.ended_at);
            if out.ended_by.is_none() {
                out.ended_by.clone_from(&self.ended_by);
            }
        }
        out
    }
}

impl Review {
    pub fn label(self) -> &'static str {
        match self {
            Review::Approved => "approved",
            Review::ChangesRequested => "changes requested",
            Review::Required => "review required",
        }
    }
}

impl Checks {
    pub fn label(self) -> &'static str {
        match self {
            Checks::Pending => "CI running",
            Checks::Passing => "CI passing",
            Checks::Failing => "CI failing",
        }
    }
}

/// What an item is now, in a few words: "merged", "open · CI failing · approved ·
/// assigned to bob". Names are the source's handles; labels and the title are left to the
/// caller, which shows them as text of their own.
pub fn state_text(o: &Observed) -> String {
    let mut parts = vec![o.lifecycle.label().to_string()];
    if !o.lifecycle.ended() {
        parts.extend(o.checks.map(|c| c.label().to_string()));
        parts.extend(o.review.map(|r| r.label().to_string()));
        match o.assignees.as_deref() {
            Some([]) => parts.push("unassigned".into()),
            Some(names) => parts.push(format!("assigned to {}", names.join(", "))),
            None => {}
        }
    }
    parts.join(" · ")
}

/// Sorted handles without repeats, compared case-insensitively as the trackers do.
pub fn handles(names: Vec<String>) -> Vec<String> {
    // Inserted in order rather than sorted: no sort's code in the worker for a handful.
    let key = |n: &str| n.to_ascii_lowercase();
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names.into_iter().filter(|n| !n.trim().is_empty()) {
        if let Err(at) = out.binary_search_by(|o| key(o).cmp(&key(&name))) {
            out.insert(at, name);
        }
    }
    out
}

/// One item as this viewer follows it: the baseline pinned for the declaration it sits in
/// (identified by that declaration's time) and the newest state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracked {
    /// The `declared_at` of the declaration the baseline belongs to.
    pub since: Timestamp,
    pub baseline: Observed,
    pub current: Observed,
}

impl Tracked {
    /// Records an observation for an item declared at `declared_at`. A new declaration (or
    /// the first observation) pins a new baseline; otherwise only the current state moves.
    pub fn observe(tracked: Option<Tracked>, declared_at: Timestamp, seen: Observed) -> Tracked {
        match tracked {
            Some(t) if t.since == declared_at => Tracked {
                current: t.current.merged_with(&seen),
                ..t
            },
            _ => Tracked {
                since: declared_at,
                baseline: seen.clone(),
                current: seen,
            },
        }
    }
}

/// What the worker keeps under `store::LIVE_KEY`: one [`Tracked`] per declared item per
/// declarer, keyed by [`key`].
pub type LiveMap = std::collections::BTreeMap<String, Tracked>;

/// The key of `member_id`'s declared item `item_ref` (a canonical reference) in a [`LiveMap`].
/// The same item in two declarations has a baseline for each.
pub fn key(member_id: &str, item_ref: &str) -> String {
    format!("{member_id} {item_ref}")
}

/// One declared item as the team cache holds it: whose declaration, which item (its
/// canonical reference), and when that declaration was made (the baseline's identity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub member_id: String,
    /// The item as the sources are asked about it: its canonical reference.
    pub item_ref: String,
    /// The item as the views look it up ([`crate::api::item_key`]): the canonical reference,
    /// or the URL of an item declared before items carried one.
    pub key_ref: String,
    pub declared_at: Timestamp,
}

/// Every item in the team's current declarations, by declarer. An item without a canonical
/// reference (declared by an older version) gets the one its URL has.
pub fn declared(team: &TeamCache, origins: &[crate::sites::Origin]) -> Vec<Declared> {
    let mut out = Vec::new();
    for state in team.states.values() {
        let Some(declared) = &state.state else {
            continue;
        };
        for item in &declared.declaration.items {
            let item_ref = match item.canonical_ref.as_str() {
                "" => match crate::sites::canonical_item_ref(&item.url, origins) {
                    Some(r) => r,
                    None => continue,
                },
                r => r.to_string(),
            };
            out.push(Declared {
                member_id: state.member_id.clone(),
                item_ref,
                key_ref: crate::api::item_key(item).to_string(),
                declared_at: declared.declared_at,
            });
        }
    }
    out
}

/// The distinct item references of `declared`, in order: what a source is asked about.
pub fn refs(declared: &[Declared]) -> Vec<&str> {
    let mut refs: Vec<&str> = Vec::new();
    for d in declared {
        if !refs.contains(&d.item_ref.as_str()) {
            refs.push(&d.item_ref);
        }
    }
    refs
}

/// The page observation a worker recorded last. A tracker tab asks for a render again and
/// again (every team change, every redraw); the same reading of the same item each time is
/// no news, and writing it would rewrite the stored map and redraw every tab for nothing.
#[derive(Default)]
pub struct LastSeen(Option<(String, Observed)>);

impl LastSeen {
    /// Whether `seen` of `item_ref` differs from the last reading in what a reader is shown;
    /// it becomes the last reading either way.
    pub fn is_news(&mut self, item_ref: &str, seen: &Observed) -> bool {
        let shown = seen.shown();
        let news = self
            .0
            .as_ref()
            .is_none_or(|(r, o)| r != item_ref || *o != shown);
        self.0 = Some((item_ref.to_owned(), shown));
        news
    }
}

/// Why a source's read gave nothing at all (the account's line says it), and how long to wait
/// before asking again when the service said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub why: String,
    pub retry_after_ms: Option<i64>,
}

impl From<crate::mirror::Outcome> for Unread {
    fn from(outcome: crate::mirror::Outcome) -> Unread {
        use crate::mirror::Outcome;
        match outcome {
            Outcome::Transient {
                why,
                retry_after_ms,
            } => Unread {
                why,
                retry_after_ms,
            },
            Outcome::Stop(why) => Unread {
                why,
                retry_after_ms: None,
            },
            Outcome::Done => Unread {
                why: String::new(),
                retry_after_ms: None,
            },
        }
    }
}

/// What one read of a source gave: the items it saw, by canonical reference. An item it could
/// not see is absent.
pub type Read = Result<Vec<(String, Observed)>, Unread>;

/// Records what a source saw: every declaration holding a seen item observes it
/// ([`Tracked::observe`]), and entries no current declaration holds are dropped. Returns
/// whether anything a reader shows changed (not merely when or by whom it was seen), which is
/// when the pages showing it must be drawn again.
pub fn record(map: &mut LiveMap, declared: &[Declared], seen: &[(String, Observed)]) -> bool {
    let keys: Vec<String> = declared
        .iter()
        .map(|d| key(&d.member_id, &d.key_ref))
        .collect();
    let before = map.len();
    map.retain(|k, _| keys.contains(k));
    let mut changed = map.len() != before;
    for (d, k) in declared.iter().zip(keys) {
        for (_, observed) in seen.iter().filter(|(r, _)| *r == d.item_ref) {
            let prev = map.get(&k).cloned();
            let after = Tracked::observe(prev.clone(), d.declared_at, observed.clone());
            changed |= prev.is_none_or(|p| !same_shown(&p, &after));
            map.insert(k.clone(), after);
        }
    }
    changed
}

/// Whether two states of one item show the same: equal but for when and by which source each
/// was seen.
fn same_shown(a: &Tracked, b: &Tracked) -> bool {
    a.since == b.since
        && a.baseline.shown() == b.baseline.shown()
        && a.current.shown() == b.current.shown()
}

/// What changed about an item after it was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    Merged {
        at: Option<Timestamp>,
        by: Option<String>,
    },
    Closed {
        at: Option<Timestamp>,
        by: Option<String>,
    },
    Reopened,
    Reassigned {
        to: Vec<String>,
    },
    ChecksFailing,
    ChecksPassing,
    Approved,
    ChangesRequested,
}

/// The changes of `tracked` since its declaration at `tracked.since`, most telling first.
pub fn drift(tracked: &Tracked) -> Vec<Drift> {
    let (base, now, since) = (&tracked.baseline, &tracked.current, tracked.since);
    let mut out = Vec::new();
    // Dated by the source: after the declaration is drift whatever the baseline says.
    let after = |at: Option<Timestamp>| at.is_some_and(|at| at > since);
    let moved = base.lifecycle != now.lifecycle;
    match now.lifecycle {
        Lifecycle::Merged | Lifecycle::Closed
            if after(now.ended_at) || (moved && now.ended_at.is_none_or(|at| at > since)) =>
        {
            let (at, by) = (now.ended_at, now.ended_by.clone());
            out.push(if now.lifecycle == Lifecycle::Merged {
                Drift::Merged { at, by }
            } else {
                Drift::Closed { at, by }
            });
        }
        Lifecycle::Open | Lifecycle::Draft if base.lifecycle.ended() => out.push(Drift::Reopened),
        _ => {}
    }
    if now.lifecycle.ended() {
        // What a merged or closed item's reviews and checks did on the way adds nothing.
        return out;
    }
    if let (Some(was), Some(is)) = (&base.assignees, &now.assignees) {
        if !same_handles(was, is) {
            out.push(Drift::Reassigned { to: is.clone() });
        }
    }
    if now.checks != base.checks {
        match now.checks {
            Some(Checks::Failing) => out.push(Drift::ChecksFailing),
            Some(Checks::Passing) if base.checks == Some(Checks::Failing) => {
                out.push(Drift::ChecksPassing)
            }
            _ => {}
        }
    }
    let review_moved = now.review != base.review || after(now.reviewed_at);
    if review_moved && now.reviewed_at.is_none_or(|at| at > since) {
        match now.review {
            Some(Review::Approved) => out.push(Drift::Approved),
            Some(Review::ChangesRequested) => out.push(Drift::ChangesRequested),
            _ => {}
        }
    }
    out
}

fn same_handles(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// One drift as a phrase: "merged 03:12 by bob", "reassigned to carol", "CI failing".
/// `time` says an instant in the reader's zone (the popup and cards use
/// `display::time_or_date_text`).
pub fn drift_phrase(drift: &Drift, time: &dyn Fn(Timestamp) -> String) -> String {
    let ended = |word: &str, at: &Option<Timestamp>, by: &Option<String>| {
        let mut s = word.to_string();
        if let Some(at) = at {
            s.push(' ');
            s.push_str(&time(*at));
        }
        if let Some(by) = by {
            s.push_str(" by ");
            s.push_str(by);
        }
        s
    };
    match drift {
        Drift::Merged { at, by } => ended("merged", at, by),
        Drift::Closed { at, by } => ended("closed", at, by),
        Drift::Reopened => "reopened".into(),
        Drift::Reassigned { to } if to.is_empty() => "unassigned".into(),
        Drift::Reassigned { to } => format!("reassigned to {}", to.join(", ")),
        Drift::ChecksFailing => "CI failing".into(),
        Drift::ChecksPassing => "CI passing again".into(),
        Drift::Approved => "approved".into(),
        Drift::ChangesRequested => "changes requested".into(),
    }
}

/// The drift line under a declared item: "merged 03:12 by bob, after Alice declared it
/// waiting". `None` when nothing changed.
pub fn drift_text(
    drifts: &[Drift],
    declarer: &str,
    declared: ItemState,
    time: &dyn Fn(Timestamp) -> String,
) -> Option<String> {
    if drifts.is_empty() {
        return None;
    }
    let phrases: Vec<String> = drifts.iter().map(|d| drift_phrase(d, time)).collect();
    Some(format!(
        "{}, after {declarer} declared it {}",
        phrases.join("; "),
        declared.label().to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn at(hm: &str) -> Timestamp {
        rfc3339(&format!("2026-12-04T{hm}:00Z"))
    }

    fn pr(lifecycle: Lifecycle, when: &str) -> Observed {
        let mut o = Observed::new(Kind::Change, lifecycle, Source::Github, at(when));
        o.assignees = Some(vec!["alice".into()]);
        o.checks = Some(Checks::Pending);
        o.review = Some(Review::Required);
        o
    }

    /// Declared at 17:42; first seen at `seen`, then `now`.
    fn tracked(first: Observed, now: Observed) -> Tracked {
        let t = Tracked::observe(None, at("17:42"), first);
        Tracked::observe(Some(t), at("17:42"), now)
    }

    fn hm(t: Timestamp) -> String {
        let s = t.to_string();
        s[11..16].to_string()
    }

    #[test]
    fn a_page_read_again_is_news_only_when_more_than_its_time_changed() {
        let mut last = LastSeen::default();
        let open = pr(Lifecycle::Open, "18:00");
        assert!(last.is_news("github.com/o/r/pull/1", &open));
        // The same reading a minute later, as a tab renders again.
        assert!(!last.is_news("github.com/o/r/pull/1", &pr(Lifecycle::Open, "18:01")));
        assert!(last.is_news("github.com/o/r/pull/1", &pr(Lifecycle::Merged, "18:02")));
        // Another item, then the first one's reading again: each is news once more.
        assert!(last.is_news("github.com/o/r/pull/2", &pr(Lifecycle::Merged, "18:03")));
        assert!(last.is_news("github.com/o/r/pull/1", &pr(Lifecycle::Merged, "18:04")));
        let mut relabelled = pr(Lifecycle::Merged, "18:05");
        relabelled.labels = Some(vec!["ci".into()]);
        assert!(last.is_news("github.com/o/r/pull/1", &relabelled));
        assert!(!last.is_news("github.com/o/r/pull/1", &relabelled));
    }

    #[test]
    fn nothing_changed_is_no_drift() {
        let t = tracked(pr(Lifecycle::Open, "18:00"), pr(Lifecycle::Open, "19:00"));
        assert_eq!(drift(&t), vec![]);
        assert_eq!(drift_text(&[], "Alice", ItemState::Waiting, &hm), None);
    }

    #[test]
    fn merged_after_the_declaration_is_drift_even_when_first_seen_merged() {
        let mut merged = pr(Lifecycle::Merged, "09:00");
        merged.ended_at = Some(rfc3339("2026-12-05T03:12:00Z"));
        merged.ended_by = Some("bob".into());
        // The viewer's first look is in the morning: the baseline is already merged.
        let t = Tracked::observe(None, at("17:42"), merged);
        let d = drift(&t);
        assert_eq!(
            d,
            vec![Drift::Merged {
                at: Some(rfc3339("2026-12-05T03:12:00Z")),
                by: Some("bob".into())
            }]
        );
        assert_eq!(
            drift_text(&d, "Alice", ItemState::Waiting, &hm).as_deref(),
            Some("merged 03:12 by bob, after Alice declared it waiting")
        );
    }

    #[test]
    fn merged_before_the_declaration_is_not_drift() {
        let mut merged = pr(Lifecycle::Merged, "18:00");
        merged.ended_at = Some(at("12:00"));
        let t = tracked(merged.clone(), merged);
        assert_eq!(drift(&t), vec![]);
    }

    #[test]
    fn an_undated_end_counts_from_the_baseline() {
        // A page shows "Merged" without a time: drift only when the viewer saw it open first.
        let open = pr(Lifecycle::Open, "18:00");
        let closed = Observed::new(Kind::Change, Lifecycle::Closed, Source::Page, at("20:00"));
        assert_eq!(
            drift(&tracked(open, closed.clone())),
            vec![Drift::Closed { at: None, by: None }]
        );
        assert_eq!(drift(&tracked(closed.clone(), closed)), vec![]);
    }

    #[test]
    fn reopened() {
        let closed = pr(Lifecycle::Closed, "18:00");
        let t = tracked(closed, pr(Lifecycle::Open, "19:00"));
        assert_eq!(drift(&t), vec![Drift::Reopened]);
        let t = tracked(
            pr(Lifecycle::Merged, "18:00"),
            pr(Lifecycle::Draft, "19:00"),
        );
        assert_eq!(drift(&t), vec![Drift::Reopened]);
    }

    #[test]
    fn draft_and_ready_are_not_drift() {
        let t = tracked(pr(Lifecycle::Draft, "18:00"), pr(Lifecycle::Open, "19:00"));
        assert_eq!(drift(&t), vec![]);
    }

    #[test]
    fn reassigned_and_unassigned() {
        let mut now = pr(Lifecycle::Open, "19:00");
        now.assignees = Some(vec!["carol".into()]);
        let d = drift(&tracked(pr(Lifecycle::Open, "18:00"), now.clone()));
        assert_eq!(
            d,
            vec![Drift::Reassigned {
                to: vec!["carol".into()]
            }]
        );
        assert_eq!(drift_phrase(&d[0], &hm), "reassigned to carol");
        now.assignees = Some(vec![]);
        let d = drift(&tracked(pr(Lifecycle::Open, "18:00"), now));
        assert_eq!(drift_phrase(&d[0], &hm), "unassigned");
        // Case is not a reassignment.
        let mut same = pr(Lifecycle::Open, "19:00");
        same.assignees = Some(vec!["Alice".into()]);
        assert_eq!(drift(&tracked(pr(Lifecycle::Open, "18:00"), same)), vec![]);
    }

    #[test]
    fn an_unknown_side_is_no_reassignment() {
        // A page that shows no assignees says nothing: the API's are kept.
        let page = Observed::new(Kind::Change, Lifecycle::Open, Source::Page, at("19:00"));
        let t = tracked(pr(Lifecycle::Open, "18:00"), page);
        assert_eq!(t.current.assignees, Some(vec!["alice".into()]));
        assert_eq!(t.current.source, Source::Page);
        assert_eq!(drift(&t), vec![]);
    }

    #[test]
    fn checks_turning_red_and_green_again() {
        let mut red = pr(Lifecycle::Open, "19:00");
        red.checks = Some(Checks::Failing);
        assert_eq!(
            drift(&tracked(pr(Lifecycle::Open, "18:00"), red.clone())),
            vec![Drift::ChecksFailing]
        );
        let mut green = pr(Lifecycle::Open, "20:00");
        green.checks = Some(Checks::Passing);
        assert_eq!(
            drift(&tracked(red.clone(), green.clone())),
            vec![Drift::ChecksPassing]
        );
        // Pending → passing is what CI does; no one needs telling.
        assert_eq!(drift(&tracked(pr(Lifecycle::Open, "18:00"), green)), vec![]);
        assert_eq!(drift(&tracked(red.clone(), red)), vec![]);
    }

    #[test]
    fn approved_and_changes_requested() {
        let mut ok = pr(Lifecycle::Open, "19:00");
        ok.review = Some(Review::Approved);
        assert_eq!(
            drift(&tracked(pr(Lifecycle::Open, "18:00"), ok.clone())),
            vec![Drift::Approved]
        );
        // Dated after the declaration: drift on first sight.
        ok.reviewed_at = Some(at("18:30"));
        assert_eq!(
            drift(&Tracked::observe(None, at("17:42"), ok.clone())),
            vec![Drift::Approved]
        );
        // Approved before the declaration: not news.
        ok.reviewed_at = Some(at("16:00"));
        assert_eq!(drift(&tracked(pr(Lifecycle::Open, "18:00"), ok)), vec![]);
        let mut no = pr(Lifecycle::Open, "19:00");
        no.review = Some(Review::ChangesRequested);
        let d = drift(&tracked(pr(Lifecycle::Open, "18:00"), no));
        assert_eq!(d, vec![Drift::ChangesRequested]);
        assert_eq!(drift_phrase(&d[0], &hm), "changes requested");
    }

    #[test]
    fn an_ended_item_reports_only_its_end() {
        let mut merged = pr(Lifecycle::Merged, "19:00");
        merged.ended_at = Some(at("18:55"));
        merged.review = Some(Review::Approved);
        merged.checks = Some(Checks::Failing);
        merged.assignees = Some(vec![]);
        let d = drift(&tracked(pr(Lifecycle::Open, "18:00"), merged));
        assert_eq!(
            d,
            vec![Drift::Merged {
                at: Some(at("18:55")),
                by: None
            }]
        );
        assert_eq!(drift_phrase(&d[0], &hm), "merged 18:55");
    }

    #[test]
    fn several_changes_in_one_line() {
        let mut now = pr(Lifecycle::Open, "19:00");
        now.assignees = Some(vec!["carol".into(), "dan".into()]);
        now.checks = Some(Checks::Failing);
        now.review = Some(Review::Approved);
        let d = drift(&tracked(pr(Lifecycle::Open, "18:00"), now));
        assert_eq!(
            drift_text(&d, "Alice", ItemState::NeedsReview, &hm).as_deref(),
            Some("reassigned to carol, dan; CI failing; approved, after Alice declared it needs review")
        );
    }

    #[test]
    fn a_new_declaration_pins_a_new_baseline() {
        let t = tracked(pr(Lifecycle::Open, "18:00"), {
            let mut red = pr(Lifecycle::Open, "19:00");
            red.checks = Some(Checks::Failing);
            red
        });
        assert_eq!(drift(&t), vec![Drift::ChecksFailing]);
        // Alice declares again at 20:00, knowing CI is red: no longer news.
        let mut red = pr(Lifecycle::Open, "20:30");
        red.checks = Some(Checks::Failing);
        let t = Tracked::observe(Some(t), at("20:00"), red);
        assert_eq!(t.since, at("20:00"));
        assert_eq!(drift(&t), vec![]);
    }

    #[test]
    fn state_in_a_few_words() {
        let mut o = pr(Lifecycle::Open, "18:00");
        o.checks = Some(Checks::Failing);
        o.review = Some(Review::Approved);
        assert_eq!(
            state_text(&o),
            "open · CI failing · approved · assigned to alice"
        );
        o.assignees = Some(vec![]);
        o.checks = None;
        o.review = None;
        assert_eq!(state_text(&o), "open · unassigned");
        o.lifecycle = Lifecycle::Merged;
        assert_eq!(state_text(&o), "merged");
    }

    #[test]
    fn a_page_without_a_title_keeps_the_api_title() {
        let mut api = pr(Lifecycle::Open, "18:00");
        api.title = Some("Fix the flaky test".into());
        api.labels = Some(vec!["ci".into()]);
        let page = Observed::new(Kind::Change, Lifecycle::Open, Source::Page, at("19:00"));
        let t = tracked(api, page);
        assert_eq!(t.current.title.as_deref(), Some("Fix the flaky test"));
        assert_eq!(t.current.labels, Some(vec!["ci".to_string()]));
    }

    #[test]
    fn handles_are_sorted_and_unique() {
        assert_eq!(
            handles(vec![
                "bob".into(),
                "Alice".into(),
                "alice".into(),
                " ".into()
            ]),
            vec!["Alice".to_string(), "bob".to_string()]
        );
    }

    fn team() -> TeamCache {
        use crate::features::tests::{cache, declaration, github, item, member};
        use crate::model::{ItemState, Status};
        let mut alice = declaration(Status::Away);
        let mut pr = item("https://github.com/acme/api/pull/12", ItemState::Waiting);
        pr.canonical_ref = "github.com/acme/api/pull/12".into();
        // Declared by an older version: no canonical reference, its URL's is used.
        let issue = item("https://github.com/acme/api/issues/3/", ItemState::Blocked);
        alice.items = vec![pr.clone(), issue];
        let mut bob = declaration(Status::Online);
        bob.items = vec![pr];
        cache(vec![
            (member("a", "Alice", github("alice"), "UTC"), Some(alice)),
            (member("b", "Bob", github("bob"), "UTC"), Some(bob)),
            (member("c", "Cy", github("cy"), "UTC"), None),
        ])
    }

    #[test]
    fn declared_items_are_every_declarations_by_reference() {
        let team = team();
        let declared = declared(&team, &[]);
        let pairs: Vec<(&str, &str)> = declared
            .iter()
            .map(|d| (d.member_id.as_str(), d.item_ref.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "github.com/acme/api/pull/12"),
                ("a", "github.com/acme/api/issues/3"),
                ("b", "github.com/acme/api/pull/12"),
            ]
        );
        assert_eq!(
            refs(&declared),
            [
                "github.com/acme/api/pull/12",
                "github.com/acme/api/issues/3"
            ]
        );
        // The views look the older item up by its URL, as `api::item_key` names it.
        assert_eq!(declared[1].key_ref, "https://github.com/acme/api/issues/3/");
        assert_eq!(declared[0].key_ref, "github.com/acme/api/pull/12");
        let declared_at = team.states["a"].state.as_ref().unwrap().declared_at;
        assert_eq!(declared[0].declared_at, declared_at);
    }

    #[test]
    fn a_read_is_recorded_for_every_declaration_holding_the_item() {
        let declared = declared(&team(), &[]);
        let item = "github.com/acme/api/pull/12".to_string();
        let mut map = LiveMap::new();
        let get = |map: &LiveMap, who: &str| map.get(&key(who, &item)).cloned();
        // A stale entry of a declaration that no longer holds its item goes.
        map.insert(
            key("c", &item),
            Tracked::observe(None, at("10:00"), pr(Lifecycle::Open, "10:00")),
        );
        assert!(record(
            &mut map,
            &declared,
            &[(item.clone(), pr(Lifecycle::Open, "18:00"))]
        ));
        let keys: Vec<&String> = map.keys().collect();
        assert_eq!(keys, [&key("a", &item), &key("b", &item)]);
        // Seen again, unchanged but later and by another source: nothing a reader sees moved.
        let mut again = pr(Lifecycle::Open, "18:05");
        again.source = Source::Page;
        assert!(!record(&mut map, &declared, &[(item.clone(), again)]));
        assert_eq!(get(&map, "a").unwrap().current.observed_at, at("18:05"));
        // Merged: both declarations see it; their baselines stay.
        let mut merged = pr(Lifecycle::Merged, "18:10");
        merged.ended_by = Some("bob".into());
        assert!(record(&mut map, &declared, &[(item.clone(), merged)]));
        for who in ["a", "b"] {
            let t = get(&map, who).unwrap();
            assert_eq!(t.baseline.lifecycle, Lifecycle::Open);
            assert_eq!(t.current.lifecycle, Lifecycle::Merged);
            assert_eq!(t.current.ended_by.as_deref(), Some("bob"));
        }
        // Nothing declared any more: the map empties.
        assert!(record(&mut map, &[], &[]));
        assert!(map.is_empty());
        assert!(!record(&mut map, &[], &[]));
    }

    #[test]
    fn stored_values_read_tolerantly() {
        let o: Observed = serde_json::from_str(
            r#"{"kind":"change","lifecycle":"open","observed_at":"2026-12-04T18:00:00Z","source":"page","future":1}"#,
        )
        .unwrap();
        assert_eq!(
            o,
            Observed::new(Kind::Change, Lifecycle::Open, Source::Page, at("18:00"))
        );
    }
}
