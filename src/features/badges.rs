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

use super::banner::LIVE_CHARS;
use super::{handoff_to_me, Feature, FeatureId, Inputs, Mount};
use crate::api::{item_key, AckRequest};
use crate::display::{back_their_time, return_time, Detail};
use crate::model::{DeclaredState, Member, Status};
use crate::render::{Action, Attr, RenderSpec, Tag};
use crate::sites::Person;
use crate::team::{roster_row, RosterRow};
use crate::time::{humanize_duration, Timestamp, ZoneOffsets};

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
    let is_named = |p: &Person| named.binary_search(&p.index).is_ok();
    let teammates: Vec<(&Person, &Member)> = people
        .iter()
        .filter_map(|p| {
            let id = inputs.teammates.member_for(p)?;
            Some((p, inputs.team.members.get(id)?))
        })
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
        let when = return_time(at, now, viewer_zone, Detail::Terse);
        label = match status {
            Status::Ooo => format!("OOO until {when}"),
            _ => format!("{label} · back {when}"),
        };
        aria.push_str(&format!(
            ", back {}",
            return_time(at, now, viewer_zone, Detail::Full)
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
    let mut class = format!("badge status-{status_class}");
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
        &format!(
            "status status-{}",
            row.status.map_or("none", Status::as_str)
        ),
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
    // Every time of theirs says whether it is their return or their clock now.
    let theirs = match row.back_at {
        Some(at) => {
            let yours = return_time(at, now, inputs.viewer_zone, Detail::Full);
            let distance = humanize_duration(at.millis() - now.millis());
            body.push(RenderSpec::text_el(
                Tag::P,
                "meta",
                format!("Back {yours} your time (in {distance})"),
            ));
            format!(
                "{} · {}",
                back_their_time(at, now, their_zone),
                row.now_there
            )
        }
        None => row.now_there.clone(),
    };
    body.push(RenderSpec::text_el(Tag::P, "meta", theirs));
    if let Some(cover) = &row.cover {
        body.push(handoff(inputs, member, None, cover, "meta", "Cover:"));
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
                let mut link = RenderSpec::new(Tag::A)
                    .class("item")
                    .link(&item.url)
                    .child(RenderSpec::user_text("", &title, ITEM_TITLE_CHARS));
                // A link is named by an aria-label too: axe-core, unlike browsers, reads no
                // generated content, and a link's name must reach every assistive technology.
                if link.attrs.contains_key(&Attr::Href) {
                    let name = crate::render::bounded(&title, ITEM_TITLE_CHARS);
                    link = link.attr(Attr::AriaLabel, crate::display::shown(&name));
                }
                let mut li = RenderSpec::new(Tag::Li).children([
                    link,
                    RenderSpec::text_el(
                        Tag::Span,
                        &format!("state st-{}", item.state.as_str()),
                        item.state.label(),
                    ),
                ]);
                if let Some(to) = &item.handoff_to {
                    li = li.child(handoff(
                        inputs,
                        member,
                        Some(item_key(item)),
                        to,
                        "meta",
                        "handed to:",
                    ));
                }
                if !item.note.trim().is_empty() {
                    li = li.child(RenderSpec::user_text(
                        "item-note",
                        &item.note,
                        ITEM_NOTE_CHARS,
                    ));
                }
                // One line for an item that changed since it was declared.
                if let Some(drift) = inputs.item_live(member, item).and_then(|l| l.drift) {
                    li = li.child(RenderSpec::user_text("drift", &drift, LIVE_CHARS));
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
    // A group, not a tooltip: it holds controls (links, acknowledgements).
    RenderSpec::new(Tag::Div)
        .class("card")
        .attr(Attr::Role, "group")
        .attr(
            Attr::AriaLabel,
            format!(
                "{}: declaration",
                crate::display::shown(&crate::render::bounded(&member.display_name, NAME_CHARS))
            ),
        )
        .children(body)
        .lazy()
}

/// `<p class="meta">Label: <bdi>text</bdi></p>`
fn labelled(label: &str, text: &str, max: usize) -> RenderSpec {
    RenderSpec::text_el(Tag::Span, "meta", format!("{label}: "))
        .child(RenderSpec::user_text("", text, max))
}

/// A hand-off of `declarer`'s declaration (`item` key, `None` for the cover), after `label`
/// ("handed to", "Cover:"): to the viewer, "you" and a one-click acknowledgement, or
/// "acknowledged" once they did; to anyone else, the display name of the member the server
/// resolved it to, else the reference as written.
pub fn handoff(
    inputs: &Inputs,
    declarer: &Member,
    item: Option<&str>,
    reference: &str,
    class: &str,
    label: &str,
) -> RenderSpec {
    let Some(acknowledged) = handoff_to_me(inputs.team, inputs.me, &declarer.id, item) else {
        let name = inputs
            .team
            .states
            .get(&declarer.id)
            .and_then(|s| s.recipient(item))
            .and_then(|id| inputs.team.members.get(id))
            .map_or_else(|| reference.trim().to_owned(), |m| m.display_name.clone());
        return RenderSpec::text_el(Tag::Span, class, format!("{label} "))
            .child(RenderSpec::user_text("", &name, NAME_CHARS));
    };
    let to_you = RenderSpec::text_el(
        Tag::Span,
        &format!("{class} to-you"),
        format!("{label} you"),
    );
    if acknowledged {
        return to_you.child(RenderSpec::text_el(
            Tag::Span,
            "acked",
            "\u{2713} acknowledged",
        ));
    }
    let whose = crate::display::shown(&crate::render::bounded(&declarer.display_name, NAME_CHARS));
    to_you.child(
        RenderSpec::text_el(Tag::Button, "ack", "Acknowledge")
            .attr(Attr::AriaLabel, format!("Acknowledge {whose}'s hand-off"))
            .action(Action::Acknowledge(AckRequest {
                member_id: declarer.id.clone(),
                item: item.map(str::to_owned),
            })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::*;
    use crate::model::{Handles, ItemState};
    use crate::sites::{Descriptor, Role};
    use crate::team::TeamCache;

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
            assert_eq!(text_of(i, "b").label, "OOO until Thu 20:06");
            assert_eq!(text_of(i, "b").name, "Bob: out of office, back Thu 20:06");
            assert_eq!(text_of(i, "c").label, "online", "reachable: no back-at");
            assert_eq!(text_of(i, "d").label, "away · stale");
            assert!(text_of(i, "d").name.contains("stale"));
            assert_eq!(text_of(i, "e").name, "Ed: no status declared");
        });
    }

    #[test]
    fn two_weeks_out_of_office_reads_as_a_date_on_the_badge_and_the_card() {
        // NOW is Wed 18 Nov 20:06 for the viewer (UTC+9); back on Wed 2 Dec, 14 days on.
        let mut d = declaration(Status::Ooo);
        d.back_at = Some(NOW.plus_minutes(14 * 24 * 60));
        let mut off = declaration(Status::Offline);
        off.back_at = Some(NOW.plus_minutes(6 * 24 * 60)); // Tue 24 Nov: six days on
        let team = cache(vec![
            (
                member("k", "Kavya", github("kavya"), "Asia/Kolkata"),
                Some(d),
            ),
            (member("o", "Olu", github("olu"), "UTC"), Some(off)),
        ]);
        with_inputs("https://github.com/o/r/pull/1", &team, &[], |i| {
            let k = text_of(i, "k");
            assert_eq!(k.label, "OOO until 2 Dec");
            assert_eq!(k.name, "Kavya: out of office, back Wed 2 Dec, 20:06");
            assert_eq!(text_of(i, "o").label, "offline · back 24 Nov");
            let card = badge(i, &team.members["k"]).all_text();
            for want in [
                "Back Wed 2 Dec, 20:06 your time (in 14 d)",
                "back Wed 2 Dec, 16:36 their time · now 16:36 there",
            ] {
                assert!(card.contains(want), "{want:?} missing from {card:?}");
            }
        });
    }

    #[test]
    fn a_hand_off_to_the_viewer_reads_to_you_with_a_one_click_acknowledgement() {
        let mut d = declaration(Status::Offline);
        d.cover = Some("Bob Stone".into());
        let mut pr = item("https://github.com/o/r/pull/12", ItemState::Blocked);
        pr.handoff_to = Some("bob".into());
        d.items = vec![pr];
        let mut team = cache(vec![
            (member("a", "Ada", github("ada"), "UTC"), Some(d)),
            (member("b", "Bob Stone", github("bob"), "UTC"), None),
            (member("c", "Cy", github("cy"), "UTC"), None),
        ]);
        let card_of = |team: &TeamCache, me: Option<&str>| {
            with_viewer("https://github.com/o/r/pull/1", team, &[], me, |i| {
                badge(i, &team.members["a"])
            })
        };
        let actions = |spec: &RenderSpec| -> Vec<Action> {
            spec.walk()
                .iter()
                .filter_map(|s| s.action.clone())
                .collect()
        };
        // Bob reads Ada's card: the cover and the PR are his.
        let bob = card_of(&team, Some("b"));
        let text = bob.all_text();
        assert!(text.contains("Cover: you"), "{text}");
        assert!(text.contains("handed to: you"), "{text}");
        assert!(!text.contains("Bob Stone"), "{text}");
        assert_eq!(
            actions(&bob),
            [
                Action::Acknowledge(AckRequest {
                    member_id: "a".into(),
                    item: None
                }),
                Action::Acknowledge(AckRequest {
                    member_id: "a".into(),
                    item: Some("https://github.com/o/r/pull/12".into())
                }),
            ]
        );
        let button = bob
            .walk()
            .into_iter()
            .find(|s| s.tag == Tag::Button)
            .unwrap();
        assert_eq!(button.text.as_deref(), Some("Acknowledge"));
        assert_eq!(button.attrs[&Attr::AriaLabel], "Acknowledge Ada's hand-off");
        // Cy, and anyone not connected, read Bob's name and get no button.
        for me in [Some("c"), None] {
            let spec = card_of(&team, me);
            let text = spec.all_text();
            assert!(text.contains("Cover:  Bob Stone"), "{me:?}: {text}");
            assert!(!text.contains("you"), "{me:?}: {text}");
            assert_eq!(actions(&spec), [], "{me:?}");
        }
        // Once Bob acknowledged the cover, it says so instead.
        team.states
            .get_mut("a")
            .unwrap()
            .acks
            .push(crate::api::Ack {
                item: None,
                by: "b".into(),
                at: NOW,
            });
        let bob = card_of(&team, Some("b"));
        assert!(bob.all_text().contains("Cover: you ✓ acknowledged"));
        assert_eq!(actions(&bob).len(), 1, "the PR is still to acknowledge");
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
            "Back Thu 03:06 your time (in 7 h)",
            "back Wed 23:36 their time · now 16:36 there",
            "Cover: ",
            "Bob Stone",
            "Fix login",
            "Blocked",
            "handed to: ",
            "declared 3 h ago",
        ] {
            assert!(text.contains(want), "{want:?} missing from {text:?}");
        }
        // Links with their names; a javascript: item stays text, and text needs no name.
        let links: Vec<_> = spec
            .walk()
            .into_iter()
            .filter(|s| s.tag == Tag::A)
            .map(|s| (s.attrs.get(&Attr::Href), s.attrs.get(&Attr::AriaLabel)))
            .collect();
        let pr = (
            "https://github.com/o/r/pull/12".to_string(),
            "Fix login".to_string(),
        );
        assert_eq!(links, [(Some(&pr.0), Some(&pr.1)), (None, None)]);
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
    fn a_changed_item_has_its_drift_line_on_the_card() {
        let mut d = declaration(Status::Offline);
        let pr = item("https://github.com/o/r/pull/12", ItemState::Waiting);
        let calm = item("https://github.com/o/r/pull/13", ItemState::Waiting);
        d.items = vec![pr.clone(), calm];
        let team = cache(vec![
            (member("a", "Ada", github("ada"), "UTC"), Some(d)),
            (member("b", "Bob Stone", github("bob"), "UTC"), None),
        ]);
        let live = crate::features::banner::tests::merged_since("a", &pr);
        let spec = with_live(
            "https://github.com/o/r/pull/1",
            &team,
            &[],
            None,
            &live,
            |i| badge(i, &team.members["a"]),
        );
        let drifts: Vec<_> = spec
            .walk()
            .into_iter()
            .filter(|s| s.attrs.get(&Attr::Class).map(String::as_str) == Some("drift"))
            .map(|s| (s.tag, s.text.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            drifts,
            [(
                Tag::Bdi,
                "merged 19:06 by Bob Stone, after Ada declared it waiting".to_string()
            )]
        );
        // The card says what changed, not the whole state.
        assert!(!spec.all_text().contains("Now merged"));
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
