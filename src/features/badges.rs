//! Badges: beside each teammate named on a tracker page, their declared status and, when they
//! are away, when they are back in the viewer's time ("offline · back 09:00"). Focusing or
//! hovering the badge opens a card: headline, note, blockers, their items, cover, their local
//! time, back-at in both zones and "declared 3 h ago"; an expired declaration is shown as stale.
//!
//! Runs on every page of a known site (lists name people too).
//!
//! Test URLs: <https://github.com/acme/widgets/issues/42>,
//! <https://gitlab.example.org/team/sub/app/-/merge_requests/12>,
//! <https://acme.atlassian.net/browse/KEY-1>, <https://linear.app/acme/issue/ENG-7>.

use super::teammates::TeammateIndex;
use super::{Feature, FeatureId, Inputs, Mount};
use crate::api::item_key;
use crate::model::{DeclaredState, Member, Status};
use crate::render::{Attr, RenderSpec, Tag};
use crate::sites::Person;
use crate::team::{roster_row, RosterRow, TeamCache};
use crate::time::{humanize_duration, LocalDateTime, Timestamp, ZoneOffsets};

pub const FEATURE: Feature = Feature {
    id: FeatureId::Badges,
    on: &[],
    needs_item: false,
};

/// Items listed on a card; the rest are counted.
const CARD_ITEMS: usize = 8;
const NOTE_CHARS: usize = 400;
const BLOCKERS_CHARS: usize = 240;
const ITEM_TITLE_CHARS: usize = 90;
const ITEM_NOTE_CHARS: usize = 160;
const NAME_CHARS: usize = 40;

/// A badge beside every element naming a teammate (the same spec for each). `named` holds the
/// elements that show text, sorted: where a teammate has one, their text-less elements (avatars,
/// often right beside the name) get no badge of their own.
pub fn mounts(inputs: &Inputs, people: &[Person], named: &[u32]) -> Vec<Mount> {
    let index = TeammateIndex::new(inputs.team, inputs.page.site);
    let is_named = |p: &Person| named.binary_search(&p.index).is_ok();
    let teammates: Vec<(&Person, &Member)> = people
        .iter()
        .filter_map(|p| Some((p, index.member_for(p)?)))
        .collect();
    // Member ids in small vectors rather than maps: a page names few teammates, and every map
    // type adds its own code to the wasm module.
    let mut with_name: Vec<&str> = Vec::new();
    for (p, m) in &teammates {
        if is_named(p) && !with_name.contains(&m.id.as_str()) {
            with_name.push(&m.id);
        }
    }
    let mut specs: Vec<(&str, RenderSpec)> = Vec::new();
    teammates
        .into_iter()
        .filter(|(p, m)| is_named(p) || !with_name.contains(&m.id.as_str()))
        .map(|(person, member)| {
            let spec = match specs.iter().find(|(id, _)| *id == member.id) {
                Some((_, spec)) => spec.clone(),
                None => {
                    let spec = badge(inputs, member);
                    specs.push((&member.id, spec.clone()));
                    spec
                }
            };
            Mount {
                feature: FeatureId::Badges,
                element: Some(person.index),
                spec,
            }
        })
        .collect()
}

/// What the badge says, and its accessible name.
#[derive(Debug, PartialEq, Eq)]
pub struct BadgeText {
    /// "offline · back 09:00"
    pub label: String,
    /// "Ada: offline, back Thu 09:00"
    pub name: String,
}

/// The compact status word.
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Online => "online",
        Status::Focus => "focus",
        Status::Away => "away",
        Status::Offline => "offline",
        Status::Ooo => "out of office",
    }
}

fn short_status(status: Status) -> &'static str {
    match status {
        Status::Ooo => "OOO",
        s => status_word(s),
    }
}

/// Whether "back …" is worth showing: they are not reachable now, and said when they return.
fn back_relevant(row: &RosterRow) -> Option<Timestamp> {
    let reachable = matches!(row.status, Some(Status::Online | Status::Focus));
    row.back_at.filter(|_| !reachable && !row.expired)
}

/// "09:00" on the viewer's today, "Thu 09:00" on another day.
fn viewer_time(at: Timestamp, now: Timestamp, zone: &dyn ZoneOffsets, always_day: bool) -> String {
    let local = LocalDateTime::at(at, zone);
    if !always_day && local.date == LocalDateTime::at(now, zone).date {
        local.time.to_string()
    } else {
        format!("{} {}", local.date.weekday().short_name(), local.time)
    }
}

pub fn badge_text(row: &RosterRow, now: Timestamp, viewer_zone: &dyn ZoneOffsets) -> BadgeText {
    // Paired again after the cut, which may drop a closer.
    let name = crate::display::shown(&crate::render::bounded(&row.name, NAME_CHARS));
    let Some(status) = row.status else {
        return BadgeText {
            label: "no status".into(),
            name: format!("{name}: no status declared"),
        };
    };
    let mut label = short_status(status).to_owned();
    let mut aria = format!("{name}: {}", status_word(status));
    if let Some(at) = back_relevant(row) {
        label.push_str(&format!(
            " · back {}",
            viewer_time(at, now, viewer_zone, false)
        ));
        aria.push_str(&format!(
            ", back {}",
            viewer_time(at, now, viewer_zone, true)
        ));
    }
    if row.expired {
        label.push_str(" · stale");
        aria.push_str(" (stale: the declaration has expired)");
    }
    BadgeText { label, name: aria }
}

/// The badge and its card for one member.
pub fn badge(inputs: &Inputs, member: &Member) -> RenderSpec {
    let zone = (inputs.zone_of)(&member.timezone);
    let row = roster_row(
        inputs.team,
        member,
        inputs.now,
        inputs.viewer_zone,
        zone.as_ref(),
    );
    let text = badge_text(&row, inputs.now, inputs.viewer_zone);
    let status_class = row.status.map_or("none", Status::as_str);
    let mut class = format!("badge s-{status_class}");
    if row.expired {
        class.push_str(" stale");
    }
    let state = inputs
        .team
        .states
        .get(&member.id)
        .and_then(|s| s.state.as_ref());
    RenderSpec::new(Tag::Span).class("wrap").children([
        RenderSpec::new(Tag::Span)
            .class(&class)
            .attr(Attr::Tabindex, "0")
            .attr(Attr::Role, "button")
            .attr(Attr::AriaLabel, text.name)
            // The status dot is the badge's ::after: every element counts, hundreds of times.
            .text(text.label),
        card(inputs, member, &row, state, zone.as_ref()),
    ])
}

/// The card a badge opens.
fn card(
    inputs: &Inputs,
    member: &Member,
    row: &RosterRow,
    state: Option<&DeclaredState>,
    their_zone: &dyn ZoneOffsets,
) -> RenderSpec {
    let now = inputs.now;
    let mut head = RenderSpec::new(Tag::Div)
        .class("head")
        .child(RenderSpec::user_text(
            "name",
            &member.display_name,
            NAME_CHARS,
        ));
    let status_label = row.status.map_or("No status", Status::label);
    head = head.child(RenderSpec::text_el(
        Tag::Span,
        &format!("status s-{}", row.status.map_or("none", Status::as_str)),
        status_label,
    ));
    let mut body = vec![head];
    if let Some(state) = state {
        let d = &state.declaration;
        if row.expired {
            let ago = d
                .expires_at
                .map(|at| humanize_duration(now.millis() - at.millis()))
                .unwrap_or_default();
            body.push(RenderSpec::text_el(
                Tag::P,
                "stale-note",
                format!("Stale: this declaration expired {ago} ago and may be out of date."),
            ));
        }
        let headline = match &d.emoji {
            Some(e) if !e.is_empty() => format!("{e} {}", d.headline),
            _ => d.headline.clone(),
        };
        if !headline.trim().is_empty() {
            body.push(RenderSpec::user_text("headline", &headline, 100));
        }
        if !d.note.trim().is_empty() {
            body.push(RenderSpec::user_text("note", &d.note, NOTE_CHARS));
        }
        if !d.blockers.trim().is_empty() {
            body.push(labelled("Blocked by", &d.blockers, BLOCKERS_CHARS));
        }
    } else {
        body.push(RenderSpec::text_el(
            Tag::P,
            "muted",
            "Has not declared a state.",
        ));
    }
    if let Some(at) = row.back_at {
        let yours = viewer_time(at, now, inputs.viewer_zone, true);
        let theirs = viewer_time(at, now, their_zone, true);
        let distance = humanize_duration(at.millis() - now.millis());
        body.push(RenderSpec::text_el(
            Tag::P,
            "meta",
            format!("Back {yours} your time · {theirs} their time (in {distance})"),
        ));
    }
    body.push(RenderSpec::text_el(
        Tag::P,
        "meta",
        format!("Their time now: {}", row.local_time),
    ));
    if let Some(cover) = &row.cover {
        body.push(labelled(
            "Cover",
            &handed_to(inputs.team, &member.id, None, cover),
            NAME_CHARS,
        ));
    }
    if let Some(state) = state {
        let items = &state.declaration.items;
        if !items.is_empty() {
            let mut list = RenderSpec::new(Tag::Ul).class("items");
            for item in items.iter().take(CARD_ITEMS) {
                let title = [&item.title, &item.canonical_ref, &item.url]
                    .into_iter()
                    .find(|t| !t.trim().is_empty())
                    .cloned()
                    .unwrap_or_default();
                let mut li = RenderSpec::new(Tag::Li).children([
                    RenderSpec::new(Tag::A)
                        .class("item")
                        .link(&item.url)
                        .child(RenderSpec::user_text("", &title, ITEM_TITLE_CHARS)),
                    RenderSpec::text_el(
                        Tag::Span,
                        &format!("state st-{}", item.state.as_str()),
                        item.state.label(),
                    ),
                ]);
                if let Some(to) = &item.handoff_to {
                    li = li.child(labelled(
                        "handed to",
                        &handed_to(inputs.team, &member.id, Some(item_key(item)), to),
                        NAME_CHARS,
                    ));
                }
                if !item.note.trim().is_empty() {
                    li = li.child(RenderSpec::user_text(
                        "item-note",
                        &item.note,
                        ITEM_NOTE_CHARS,
                    ));
                }
                list = list.child(li);
            }
            if items.len() > CARD_ITEMS {
                list = list.child(RenderSpec::text_el(
                    Tag::Li,
                    "muted",
                    format!("and {} more", items.len() - CARD_ITEMS),
                ));
            }
            body.push(list);
        }
    }
    if let Some(declared) = &row.declared {
        body.push(RenderSpec::text_el(
            Tag::Small,
            "declared",
            declared.clone(),
        ));
    }
    RenderSpec::new(Tag::Div)
        .class("card")
        .attr(Attr::Role, "tooltip")
        .children(body)
        .lazy()
}

/// `<p class="meta">Label: <bdi>text</bdi></p>`
fn labelled(label: &str, text: &str, max: usize) -> RenderSpec {
    RenderSpec::text_el(Tag::Span, "meta", format!("{label}: "))
        .child(RenderSpec::user_text("", text, max))
}

/// Whom a hand-off of `declarer`'s declaration (`item` key, `None` for the cover) goes to: the
/// display name of the member the server resolved it to, else the reference as written.
pub fn handed_to(team: &TeamCache, declarer: &str, item: Option<&str>, reference: &str) -> String {
    team.states
        .get(declarer)
        .and_then(|s| s.recipient(item))
        .and_then(|id| team.members.get(id))
        .map_or_else(|| reference.trim().to_owned(), |m| m.display_name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::*;
    use crate::model::{Handles, ItemState};
    use crate::sites::{Descriptor, Role};

    fn person(handle: &str, index: u32) -> Person {
        Person {
            handle: handle.into(),
            name: None,
            role: Role::Commenter,
            index,
            rule: "t".into(),
        }
    }

    fn text_of(inputs: &Inputs, id: &str) -> BadgeText {
        let member = &inputs.team.members[id];
        let row = roster_row(
            inputs.team,
            member,
            inputs.now,
            inputs.viewer_zone,
            (inputs.zone_of)(&member.timezone).as_ref(),
        );
        badge_text(&row, inputs.now, inputs.viewer_zone)
    }

    #[test]
    fn only_teammates_get_badges_one_per_element() {
        let team = cache(vec![
            (
                member("1", "Ada", github("ada"), "UTC"),
                Some(declaration(Status::Online)),
            ),
            (member("2", "Bob", github("bob"), "UTC"), None),
        ]);
        let people = [
            person("ada", 0),
            person("zed", 1),
            person("ada", 2),
            person("bob", 5),
        ];
        let placed = with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            mounts(i, &people, &[0, 1, 2, 5])
        });
        let at: Vec<_> = placed.iter().map(|m| m.element).collect();
        assert_eq!(at, [Some(0), Some(2), Some(5)]);
        assert_eq!(placed[0].spec, placed[1].spec);
        assert!(placed[2].spec.all_text().contains("no status"));
        // Ada's element 0 is an avatar beside her named element 2: one badge, on the name.
        // Bob shows only as an avatar: he keeps his badge there.
        let placed = with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            mounts(i, &people, &[1, 2])
        });
        let at: Vec<_> = placed.iter().map(|m| m.element).collect();
        assert_eq!(at, [Some(2), Some(5)]);
    }

    #[test]
    fn badge_says_when_they_are_back_in_the_viewers_time() {
        // NOW is Wed 11:06 UTC = Wed 20:06 for the viewer (UTC+9).
        let mut away = declaration(Status::Offline);
        away.back_at = Some(NOW.plus_minutes(60)); // Wed 21:06 viewer
        let mut tomorrow = declaration(Status::Ooo);
        tomorrow.back_at = Some(NOW.plus_minutes(24 * 60)); // Thu 20:06 viewer
        let mut online = declaration(Status::Online);
        online.back_at = Some(NOW.plus_minutes(60));
        let mut stale = declaration(Status::Away);
        stale.expires_at = Some(NOW.plus_minutes(-60));
        stale.back_at = Some(NOW.plus_minutes(60));
        let team = cache(vec![
            (member("a", "Ada", Handles::default(), "UTC"), Some(away)),
            (
                member("b", "Bob", Handles::default(), "UTC"),
                Some(tomorrow),
            ),
            (member("c", "Cy", Handles::default(), "UTC"), Some(online)),
            (member("d", "Di", Handles::default(), "UTC"), Some(stale)),
            (member("e", "Ed", Handles::default(), "UTC"), None),
        ]);
        with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            assert_eq!(
                text_of(i, "a"),
                BadgeText {
                    label: "offline · back 21:06".into(),
                    name: "Ada: offline, back Wed 21:06".into()
                }
            );
            assert_eq!(text_of(i, "b").label, "OOO · back Thu 20:06");
            assert_eq!(text_of(i, "b").name, "Bob: out of office, back Thu 20:06");
            assert_eq!(text_of(i, "c").label, "online", "reachable: no back-at");
            assert_eq!(text_of(i, "d").label, "away · stale");
            assert!(text_of(i, "d").name.contains("stale"));
            assert_eq!(text_of(i, "e").name, "Ed: no status declared");
        });
    }

    #[test]
    fn card_shows_the_declaration_with_times_in_both_zones() {
        let mut d = declaration(Status::Offline);
        d.emoji = Some("🌙".into());
        d.headline = "Done for today".into();
        d.note = "Ping Bob for anything urgent".into();
        d.blockers = "API review".into();
        d.cover = Some("@bob".into());
        d.back_at = Some(NOW.plus_minutes(7 * 60)); // 18:06 UTC
        let mut pr = item("https://github.com/o/r/pull/12", ItemState::Blocked);
        pr.handoff_to = Some("bob".into());
        let bad_link = WorkItemUrl("javascript:alert(1)");
        d.items = vec![pr, bad_link.item()];
        let team = cache(vec![
            (member("a", "Ada", github("ada"), "Asia/Kolkata"), Some(d)),
            (member("b", "Bob Stone", github("bob"), "UTC"), None),
        ]);
        let spec = with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            badge(i, &team.members["a"])
        });
        let text = spec.all_text();
        for want in [
            "🌙 Done for today",
            "Ping Bob for anything urgent",
            "Blocked by: ",
            "API review",
            "Back Thu 03:06 your time · Wed 23:36 their time (in 7 h)",
            "Their time now: 16:36",
            "Cover: ",
            "Bob Stone",
            "Fix login",
            "Blocked",
            "handed to: ",
            "declared 3 h ago",
        ] {
            assert!(text.contains(want), "{want:?} missing from {text:?}");
        }
        let links: Vec<_> = spec
            .walk()
            .into_iter()
            .filter(|s| s.tag == Tag::A)
            .map(|s| s.attrs.get(&Attr::Href).cloned())
            .collect();
        assert_eq!(
            links,
            [Some("https://github.com/o/r/pull/12".to_string()), None],
            "a javascript: item stays text"
        );
        // The card is drawn when first opened (pages have hundreds of badges).
        assert!(spec.children[1].lazy);
        // Focusable, named, and the label is hidden from assistive tech (the name says it).
        let badge = &spec.children[0];
        assert_eq!(
            badge.attrs.get(&Attr::Tabindex).map(String::as_str),
            Some("0")
        );
        assert_eq!(
            badge.attrs.get(&Attr::AriaLabel).map(String::as_str),
            Some("Ada: offline, back Thu 03:06")
        );
    }

    struct WorkItemUrl(&'static str);
    impl WorkItemUrl {
        fn item(&self) -> crate::model::WorkItem {
            item(self.0, ItemState::Waiting)
        }
    }

    #[test]
    fn stale_declarations_are_marked_on_the_card() {
        let mut d = declaration(Status::Focus);
        d.expires_at = Some(NOW.plus_minutes(-120));
        let team = cache(vec![(member("a", "Ada", github("ada"), "UTC"), Some(d))]);
        let spec = with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            badge(i, &team.members["a"])
        });
        assert!(spec.all_text().contains("expired 2 h ago"));
        assert!(spec.children[0].attrs[&Attr::Class].contains("stale"));
    }

    #[test]
    fn long_hostile_text_is_bounded_and_stays_text() {
        let mut d = declaration(Status::Away);
        d.note = "<img src=x onerror=alert(1)>".repeat(500);
        d.headline = "\u{202e}".to_string() + &"x".repeat(80);
        let team = cache(vec![(
            member("a", &"N".repeat(300), github("ada"), "UTC"),
            Some(d),
        )]);
        let spec = with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            badge(i, &team.members["a"])
        });
        for s in spec.walk() {
            if let Some(t) = &s.text {
                assert!(
                    t.chars().count() <= NOTE_CHARS + 1,
                    "{} chars",
                    t.chars().count()
                );
            }
        }
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.len() < 8_000, "{} bytes", json.len());
    }

    #[test]
    fn real_descriptors_end_to_end_on_a_react_issue() {
        // The adapter's people, then the teammates among them.
        let team = cache(vec![
            (
                member("1", "Ada", github("ADA"), "UTC"),
                Some(declaration(Status::Away)),
            ),
            (member("2", "Dave", github("dave"), "UTC"), None),
        ]);
        let d = |rule: &str, index: u32, href: &str| Descriptor {
            rule: rule.into(),
            index,
            attrs: [("href".to_string(), href.to_string())].into(),
            text: Some(href.trim_start_matches('/').to_string()),
            ..Descriptor::default()
        };
        let descriptors = [
            d("react-issue-author", 0, "/ada"),
            d("react-comment-author", 1, "/bob"),
            d("react-assignee", 2, "/dave"),
        ];
        let mounts = with_inputs(
            "https://github.com/acme/widgets/issues/42",
            &team,
            &[],
            |i| super::super::render(i, &descriptors, false),
        );
        let at: Vec<_> = mounts.iter().map(|m| m.element).collect();
        assert_eq!(at, [Some(0), Some(2)]);
    }
}
