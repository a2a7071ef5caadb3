//! Item banner: on a PR, MR, issue or ticket that sits in a teammate's declared items, one banner
//! at the top of the page: who declared it, their state for it, their note, who it is handed
//! to and when they are back. Items match by canonical reference, computed by the site adapters
//! for both the page and the declared URL (`/pull/12/files` is `/pull/12`). Dismissible per
//! item: the dismissal is kept in `storage.local` ([`crate::store::DISMISSED_KEY`]) and holds
//! until a teammate declares the item anew.
//!
//! Runs on item pages (and lists or boards with an item open in a side panel).
//!
//! Test URLs: <https://github.com/o/r/pull/12/files>, <https://linear.app/acme/team/ENG/active?peek=ENG-7>,
//! <https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1>.

use super::badges::{handoff, status_word};
use super::{handoff_to_me, Feature, FeatureId, Inputs, Mount};
use crate::api::item_key;
use crate::display::back_your_time;
use crate::model::{DeclaredState, Member, WorkItem};
use crate::render::{Action, Attr, RenderSpec, Tag};
use crate::sites::canonical_item_ref;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub const FEATURE: Feature = Feature {
    id: FeatureId::Banner,
    on: &[],
    needs_item: true,
};

/// Dismissals kept; the oldest go first.
pub const MAX_DISMISSALS: usize = 200;

/// "Do not show the banner for this item": until a declaration of it newer than `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    /// The item's canonical reference.
    pub item: String,
    pub at: Timestamp,
}

/// One teammate's declaration of the page's item.
pub struct Declared<'a> {
    pub member: &'a Member,
    pub state: &'a DeclaredState,
    pub item: &'a WorkItem,
}

/// The page's item reference, as the banner and dismissals name it.
pub fn page_item(inputs: &Inputs) -> Option<String> {
    inputs.page.item.as_ref()?;
    canonical_item_ref(inputs.url, inputs.origins)
}

/// Every teammate's declared item that is the page's item, by member name.
pub fn declared_here<'a>(inputs: &Inputs<'a>, item_ref: &str) -> Vec<Declared<'a>> {
    // Each inserted after the equal names before it, a stable sort: few teammates declare one
    // item, and a sort call would add its own copy of the standard library's sort to the wasm.
    let mut found: Vec<(String, Declared<'a>)> = Vec::new();
    for (id, member_state) in &inputs.team.states {
        let (Some(member), Some(state)) = (inputs.team.members.get(id), &member_state.state) else {
            continue;
        };
        let same = |item: &&WorkItem| {
            canonical_item_ref(&item.url, inputs.origins).as_deref() == Some(item_ref)
                || item.canonical_ref == item_ref
        };
        if let Some(item) = state.declaration.items.iter().find(same) {
            let name = crate::text::lowercase(&member.display_name);
            let at = found.partition_point(|(n, _)| *n <= name);
            let declared = Declared {
                member,
                state,
                item,
            };
            found.insert(at, (name, declared));
        }
    }
    found.into_iter().map(|(_, d)| d).collect()
}

/// Whether a dismissal still hides the banner: nobody declared the item after it.
fn dismissed(dismissals: &[Dismissal], item_ref: &str, declared: &[Declared]) -> bool {
    dismissals
        .iter()
        .any(|d| d.item == item_ref && declared.iter().all(|x| x.state.declared_at <= d.at))
}

/// The dismissals after dismissing `item_ref` at `now`: newest first, bounded.
pub fn dismiss(mut dismissals: Vec<Dismissal>, item_ref: &str, now: Timestamp) -> Vec<Dismissal> {
    dismissals.retain(|d| d.item != item_ref);
    dismissals.insert(
        0,
        Dismissal {
            item: item_ref.to_owned(),
            at: now,
        },
    );
    dismissals.truncate(MAX_DISMISSALS);
    dismissals
}

/// The banner for the page, if a teammate declared its item and the user has not dismissed it.
pub fn mount(inputs: &Inputs) -> Option<Mount> {
    let item_ref = page_item(inputs)?;
    let declared = declared_here(inputs, &item_ref);
    if declared.is_empty() || dismissed(inputs.dismissed, &item_ref, &declared) {
        return None;
    }
    // Hand-offs to the viewer first: a collapsed banner shows its first line only.
    let to_me = |d: &&Declared| {
        handoff_to_me(inputs.team, inputs.me, &d.member.id, Some(item_key(d.item))).is_some()
    };
    let rows = (declared.iter().filter(to_me))
        .chain(declared.iter().filter(|d| !to_me(d)))
        .map(|d| row(inputs, d));
    let spec = RenderSpec::new(Tag::Div)
        .class("banner")
        .attr(Attr::Role, "region")
        .attr(
            Attr::AriaLabel,
            "StandIn: teammates' declarations of this item",
        )
        .children([
            RenderSpec::text_el(Tag::Span, "mark", "StandIn").attr(Attr::AriaHidden, "true"),
            RenderSpec::new(Tag::Ul).class("rows").children(rows),
            RenderSpec::text_el(Tag::Button, "dismiss", "×")
                .action(Action::DismissBanner)
                .attr(Attr::AriaLabel, "Dismiss for this item")
                .attr(Attr::Title, "Dismiss for this item"),
        ]);
    Some(Mount {
        feature: FeatureId::Banner,
        element: None,
        spec,
    })
}

/// "Ada · Blocked · handed to Bob · “needs a second pair of eyes” · offline, back Thu 09:00
/// (your time)"; to the viewer, "handed to you" and its Acknowledge button.
fn row(inputs: &Inputs, d: &Declared) -> RenderSpec {
    let declaration = &d.state.declaration;
    let expired = d.state.is_expired(inputs.now);
    let mut li = RenderSpec::new(Tag::Li).class("row").children([
        RenderSpec::user_text("who", &d.member.display_name, 40),
        RenderSpec::text_el(
            Tag::Span,
            &format!("state st-{}", d.item.state.as_str()),
            d.item.state.label(),
        ),
    ]);
    if let Some(to) = &d.item.handoff_to {
        li = li.child(handoff(
            inputs,
            d.member,
            Some(item_key(d.item)),
            to,
            "handoff",
            "handed to",
        ));
    }
    if !d.item.note.trim().is_empty() {
        li = li.child(RenderSpec::user_text("note", &d.item.note, 300));
    }
    let mut status = status_word(declaration.status).to_owned();
    if let Some(at) = declaration.back_at.filter(|at| *at > inputs.now) {
        status.push_str(&format!(
            ", {}",
            back_your_time(at, inputs.now, inputs.viewer_zone)
        ));
    }
    li = li.child(RenderSpec::text_el(Tag::Span, "when", status));
    if expired {
        li = li.child(RenderSpec::text_el(Tag::Span, "stale", "stale declaration"));
    }
    // What the item is now and what changed since it was declared, each a line of its own.
    if let Some(live) = inputs.item_live(d.member, d.item) {
        li = li.child(RenderSpec::user_text("live", &live.state, LIVE_CHARS));
        if let Some(drift) = &live.drift {
            li = li.child(RenderSpec::user_text("drift", drift, LIVE_CHARS));
        }
    }
    li
}

/// The longest live-state or drift line drawn (titles and labels are the tracker's text).
pub const LIVE_CHARS: usize = 240;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::features::tests::*;
    use crate::model::{ItemState, Status};

    fn team_with(items: Vec<WorkItem>) -> crate::team::TeamCache {
        let mut d = declaration(Status::Offline);
        d.items = items;
        d.back_at = Some(NOW.plus_minutes(60));
        cache(vec![
            (member("1", "Ada", github("ada"), "UTC"), Some(d)),
            (member("2", "Bob", github("bob"), "UTC"), None),
        ])
    }

    #[test]
    fn banner_appears_on_every_tab_of_a_declared_pr() {
        let mut pr = item(
            "https://github.com/O/R/pull/12/files#diff-1",
            ItemState::Blocked,
        );
        pr.handoff_to = Some("bob".into());
        let team = team_with(vec![pr]);
        for url in [
            "https://github.com/o/r/pull/12",
            "https://github.com/o/r/pull/12/commits",
            "https://www.github.com/o/r/pull/12?w=1",
        ] {
            let banner = with_inputs(url, &team, &[], mount).expect(url);
            let text = banner.spec.all_text();
            for want in [
                "Ada",
                "Blocked",
                "Needs a second pair of eyes",
                "handed to",
                "Bob",
                "offline, back Wed 21:06 (your time)",
            ] {
                assert!(text.contains(want), "{want:?} not in {text:?}");
            }
        }
        assert!(with_inputs("https://github.com/o/r/pull/13", &team, &[], mount).is_none());
        assert!(with_inputs("https://github.com/o/r/issues/12", &team, &[], mount).is_none());
    }

    #[test]
    fn a_hand_off_to_the_viewer_comes_first_and_is_acknowledged_in_one_click() {
        let mut to_bob = item("https://github.com/o/r/pull/12", ItemState::Blocked);
        to_bob.handoff_to = Some("bob".into());
        let mut zed = declaration(Status::Online);
        zed.items = vec![item("https://github.com/o/r/pull/12", ItemState::Waiting)];
        let mut team = team_with(vec![to_bob]);
        team.members
            .insert("0".into(), member("0", "Abe", github("abe"), "UTC"));
        let mut abe = team.states["1"].clone();
        abe.member_id = "0".into();
        abe.state.as_mut().unwrap().declaration = zed;
        abe.recipients = vec![];
        team.states.insert("0".into(), abe);
        let url = "https://github.com/o/r/pull/12";
        let banner = |me| with_viewer(url, &team, &[], me, mount).unwrap().spec;
        // Bob reads it: Ada's row (handed to him) before Abe's, though Abe sorts first.
        let bob = banner(Some("2"));
        let rows = &bob.children[1].children;
        assert_eq!(rows[0].children[0].text.as_deref(), Some("Ada"));
        assert!(rows[0].all_text().contains("handed to you"));
        let acks: Vec<_> = bob
            .walk()
            .into_iter()
            .filter_map(|s| s.action.clone())
            .collect();
        assert_eq!(
            acks,
            [
                Action::Acknowledge(crate::api::AckRequest {
                    member_id: "1".into(),
                    item: Some(url.into())
                }),
                Action::DismissBanner
            ]
        );
        // Anyone else reads Bob's name, in name order, and can only dismiss.
        let other = banner(None);
        assert_eq!(
            other.children[1].children[0].children[0].text.as_deref(),
            Some("Abe")
        );
        assert!(other.all_text().contains("handed to  Bob"));
        let acks: Vec<_> = other
            .walk()
            .into_iter()
            .filter_map(|s| s.action.clone())
            .collect();
        assert_eq!(acks, [Action::DismissBanner]);
    }

    /// Ann's PR, declared 3 h before NOW, seen open, then merged an hour ago by `bob`.
    pub(crate) fn merged_since(member_id: &str, pr: &WorkItem) -> crate::live::LiveMap {
        use crate::live::{key, Kind, Lifecycle, Observed, Source, Tracked};
        let declared = NOW.plus_minutes(-180);
        let seen = |lifecycle, minutes| {
            Observed::new(
                Kind::Change,
                lifecycle,
                Source::Github,
                NOW.plus_minutes(minutes),
            )
        };
        let mut merged = seen(Lifecycle::Merged, -5);
        merged.ended_at = Some(NOW.plus_minutes(-60));
        merged.ended_by = Some("BOB".into());
        merged.title = Some("<img src=x onerror=alert(1)>".into());
        merged.labels = Some(vec!["ci".into()]);
        let first = Tracked::observe(None, declared, seen(Lifecycle::Open, -170));
        let tracked = Tracked::observe(Some(first), declared, merged);
        [(key(member_id, crate::api::item_key(pr)), tracked)].into()
    }

    #[test]
    fn the_items_live_state_and_drift_are_lines_of_text_in_the_row() {
        let pr = item("https://github.com/o/r/pull/12", ItemState::NeedsReview);
        let team = team_with(vec![pr.clone()]);
        let url = "https://github.com/o/r/pull/12";
        let live = merged_since("1", &pr);
        let banner = with_live(url, &team, &[], None, &live, mount).unwrap().spec;
        let row = &banner.children[1].children[0];
        let lines: Vec<(&str, Tag, &str)> = row
            .children
            .iter()
            .filter_map(|c| {
                Some((
                    c.attrs.get(&Attr::Class)?.as_str(),
                    c.tag,
                    c.text.as_deref()?,
                ))
            })
            .filter(|(class, _, _)| ["live", "drift"].contains(class))
            .collect();
        // The viewer reads UTC+9: merged 10:06 UTC is 19:06, seen 11:01 is 20:01.
        assert_eq!(
            lines,
            [
                (
                    "live",
                    Tag::Bdi,
                    "Now merged · \u{201c}<img src=x onerror=alert(1)>\u{201d} · labels: ci · GitHub 20:01"
                ),
                (
                    "drift",
                    Tag::Bdi,
                    "merged 19:06 by Bob, after Ada declared it needs review"
                ),
            ]
        );
        // Nothing seen: no lines.
        let plain = with_inputs(url, &team, &[], mount).unwrap().spec;
        assert!(!plain.all_text().contains("Now "), "{}", plain.all_text());
    }

    #[test]
    fn side_panels_and_self_hosted_items_match_too() {
        let team = team_with(vec![
            item(
                "https://linear.app/acme/issue/ENG-7/fix-the-login-bug",
                ItemState::Waiting,
            ),
            item(
                "https://jira.corp.example/jira/browse/KEY-1",
                ItemState::InProgress,
            ),
        ]);
        assert!(with_inputs(
            "https://linear.app/acme/team/ENG/active?peek=ENG-7",
            &team,
            &[],
            mount
        )
        .is_some());
        assert!(with_inputs(
            "https://jira.corp.example/jira/browse/KEY-1",
            &team,
            &[],
            mount
        )
        .is_some());
    }

    #[test]
    fn declarations_are_listed_by_name_ignoring_case() {
        let mut d = declaration(Status::Online);
        d.items = vec![item("https://github.com/o/r/pull/12", ItemState::Waiting)];
        let team = cache(
            [("1", "Cy"), ("2", "bo"), ("3", "ada"), ("4", "Ada")]
                .into_iter()
                .map(|(id, name)| (member(id, name, github(id), "UTC"), Some(d.clone())))
                .collect(),
        );
        let ids = with_inputs("https://github.com/o/r/pull/12", &team, &[], |i| {
            declared_here(i, "github.com/o/r/pull/12")
                .iter()
                .map(|d| d.member.id.clone())
                .collect::<Vec<_>>()
        });
        // Equal names keep the roster's order.
        assert_eq!(ids, ["3", "4", "2", "1"]);
    }

    #[test]
    fn dismissal_holds_until_the_item_is_declared_anew() {
        let team = team_with(vec![item(
            "https://github.com/o/r/pull/12",
            ItemState::NeedsReview,
        )]);
        let url = "https://github.com/o/r/pull/12";
        // Declared 3 h before NOW; dismissed 1 h before NOW.
        let dismissals = dismiss(vec![], "github.com/o/r/pull/12", NOW.plus_minutes(-60));
        assert!(with_inputs(url, &team, &dismissals, mount).is_none());
        let older = dismiss(vec![], "github.com/o/r/pull/12", NOW.plus_minutes(-240));
        assert!(with_inputs(url, &team, &older, mount).is_some());
        let other = dismiss(vec![], "github.com/o/r/pull/99", NOW);
        assert!(with_inputs(url, &team, &other, mount).is_some());
    }

    #[test]
    fn dismissals_are_bounded_and_deduplicated() {
        let mut list = Vec::new();
        for n in 0..(MAX_DISMISSALS + 50) {
            list = dismiss(list, &format!("x/{n}"), Timestamp(n as i64));
        }
        list = dismiss(list, "x/249", Timestamp(1_000));
        assert_eq!(list.len(), MAX_DISMISSALS);
        assert_eq!(
            list[0],
            Dismissal {
                item: "x/249".into(),
                at: Timestamp(1_000)
            }
        );
        assert_eq!(list.iter().filter(|d| d.item == "x/249").count(), 1);
    }

    #[test]
    fn decoded_dismissals_are_what_serde_wrote() {
        let list = dismiss(
            dismiss(vec![], "github.com/o/r/pull/12", NOW),
            "linear.app/acme/issue/ENG-7",
            NOW.plus_minutes(5),
        );
        crate::wire::check::round_trips(&list);
        let e = crate::wire::from_str::<Vec<Dismissal>>(
            r#"[{"item":"x","at":"2026-11-18T11:06:40Z"},{"item":"y"}]"#,
        );
        assert_eq!(e.unwrap_err().path, "[1].at");
        let e = crate::wire::from_str::<Dismissal>(r#"{"item":7,"at":"2026-11-18T11:06:40Z"}"#);
        assert_eq!(e.unwrap_err().path, "item");
    }

    #[test]
    fn the_dismiss_control_names_its_action() {
        let team = team_with(vec![item(
            "https://github.com/o/r/pull/12",
            ItemState::Done,
        )]);
        let banner = with_inputs("https://github.com/o/r/pull/12", &team, &[], mount).unwrap();
        let button = banner
            .spec
            .walk()
            .into_iter()
            .find(|s| s.tag == Tag::Button)
            .unwrap()
            .clone();
        assert_eq!(button.attrs[&Attr::Action], "dismiss_banner");
        assert_eq!(button.action, Some(Action::DismissBanner));
        assert_eq!(banner.element, None);
    }
}
