//! Which team events a state write makes, from the declaration before and after it. Pure: the
//! storage calls it inside the write's transaction, and it is tested here natively.

use super::{Event, EventKind};
use standin::api::Recipient;
use standin::model::{Declaration, Status};

/// A declaration as stored: what it says and whom its hand-offs were resolved to.
#[derive(Clone, Copy, Debug)]
pub struct Declared<'a> {
    pub declaration: &'a Declaration,
    pub recipients: &'a [Recipient],
}

/// One event a write makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub kind: EventKind,
    /// An edit of what an earlier event announced (a typo fixed while offline): it replaces
    /// a post still waiting out its coalescing window and posts nothing on its own.
    pub amends: bool,
    /// The hand-offs a [`EventKind::Handoff`] announces: those this write made.
    pub handoffs: Vec<Recipient>,
}

impl Trigger {
    fn new(kind: EventKind, amends: bool) -> Trigger {
        Trigger {
            kind,
            amends,
            handoffs: Vec::new(),
        }
    }

    /// What a newer event replaces while both wait: one of the same member and kind.
    pub fn coalesce_key(&self, member_id: &str) -> String {
        format!("{member_id}/{}", self.kind.as_str())
    }
}

fn away(declared: Option<Declared>) -> Option<EventKind> {
    match declared?.declaration.status {
        Status::Offline => Some(EventKind::Offline),
        Status::Ooo => Some(EventKind::OutOfOffice),
        Status::Online | Status::Focus | Status::Away => None,
    }
}

/// The events of a write from `before` to `after` (`None`: no declaration).
pub fn detect(before: Option<Declared>, after: Option<Declared>) -> Vec<Trigger> {
    let mut events = Vec::new();
    match (away(before), away(after)) {
        (Some(was), Some(now)) if was == now => {
            if before.map(|d| d.declaration) != after.map(|d| d.declaration) {
                events.push(Trigger::new(now, true));
            }
        }
        (_, Some(now)) => events.push(Trigger::new(now, false)),
        (Some(_), None) => events.push(Trigger::new(EventKind::Back, false)),
        (None, None) => {}
    }
    let old = before.map_or(&[][..], |d| d.recipients);
    let handoffs: Vec<Recipient> = after
        .map_or(&[][..], |d| d.recipients)
        .iter()
        .filter(|r| !old.contains(r))
        .cloned()
        .collect();
    if !handoffs.is_empty() {
        events.push(Trigger {
            handoffs,
            ..Trigger::new(EventKind::Handoff, false)
        });
    }
    events
}

/// A hand-off event told as the hand-offs of `trigger` only: the items handed on in this
/// write, and the cover if it was.
pub fn keep_handoffs(event: &mut Event, trigger: &Trigger) {
    let made = |item: Option<&str>| trigger.handoffs.iter().any(|r| r.item.as_deref() == item);
    event.items.retain(|i| made(Some(&i.key)));
    if !made(None) {
        event.cover = None;
    }
}

/// A hand-off event that replaces a waiting one (`older`) also tells what that one did, so
/// coalescing drops no hand-off.
pub fn absorb(event: &mut Event, older: Event) {
    for item in older.items {
        if !event.items.iter().any(|i| i.key == item.key) {
            event.items.push(item);
        }
    }
    if event.cover.is_none() {
        event.cover = older.cover;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(status: Status, headline: &str) -> Declaration {
        Declaration::new(status, headline, "Europe/Berlin")
    }

    fn to(item: Option<&str>, member: &str) -> Recipient {
        Recipient {
            item: item.map(str::to_owned),
            member: member.to_owned(),
        }
    }

    fn kinds(events: &[Trigger]) -> Vec<(EventKind, bool)> {
        events.iter().map(|e| (e.kind, e.amends)).collect()
    }

    fn on(d: &Declaration) -> Option<Declared<'_>> {
        with(d, &[])
    }

    #[test]
    fn going_offline_or_out_of_office_is_an_event_once() {
        let online = decl(Status::Online, "here");
        let offline = decl(Status::Offline, "done for today");
        let ooo = decl(Status::Ooo, "holiday");
        assert_eq!(
            kinds(&detect(None, on(&offline))),
            [(EventKind::Offline, false)]
        );
        assert_eq!(
            kinds(&detect(on(&online), on(&offline))),
            [(EventKind::Offline, false)]
        );
        assert_eq!(
            kinds(&detect(on(&offline), on(&ooo))),
            [(EventKind::OutOfOffice, false)]
        );
        // The same declaration again is no event; an edit of it amends the pending post.
        assert_eq!(detect(on(&offline), on(&offline)), []);
        let fixed = decl(Status::Offline, "done for today!");
        assert_eq!(
            kinds(&detect(on(&offline), on(&fixed))),
            [(EventKind::Offline, true)]
        );
    }

    #[test]
    fn coming_back_is_an_event_and_staying_online_is_none() {
        let offline = decl(Status::Offline, "gone");
        for status in [Status::Online, Status::Focus, Status::Away] {
            let back = decl(status, "back");
            assert_eq!(
                kinds(&detect(on(&offline), on(&back))),
                [(EventKind::Back, false)]
            );
            assert_eq!(detect(on(&back), on(&decl(Status::Online, "x"))), []);
            assert_eq!(detect(None, on(&back)), []);
        }
        // Clearing an away declaration is coming back too; clearing an online one is nothing.
        assert_eq!(
            kinds(&detect(on(&offline), None)),
            [(EventKind::Back, false)]
        );
        assert_eq!(detect(on(&decl(Status::Online, "x")), None), []);
    }

    fn with<'a>(declaration: &'a Declaration, recipients: &'a [Recipient]) -> Option<Declared<'a>> {
        Some(Declared {
            declaration,
            recipients,
        })
    }

    #[test]
    fn only_new_hand_offs_are_events() {
        let d = decl(Status::Online, "here");
        let first = [to(Some("github.com/o/r/pull/1"), "m_bob")];
        let more = [
            to(Some("github.com/o/r/pull/1"), "m_bob"),
            to(None, "m_cat"),
            to(Some("github.com/o/r/pull/2"), "m_bob"),
        ];
        let events = detect(with(&d, &first), with(&d, &more));
        assert_eq!(kinds(&events), [(EventKind::Handoff, false)]);
        assert_eq!(events[0].handoffs, more[1..]);
        // Handed to someone else: an event for the new recipient.
        let moved = [to(Some("github.com/o/r/pull/1"), "m_cat")];
        assert_eq!(
            detect(with(&d, &first), with(&d, &moved))[0].handoffs,
            moved
        );
        assert_eq!(detect(with(&d, &more), with(&d, &first)), []);
        // Going offline while handing on: both events.
        let offline = decl(Status::Offline, "gone");
        let both = kinds(&detect(with(&d, &[]), with(&offline, &first)));
        assert_eq!(
            both,
            [(EventKind::Offline, false), (EventKind::Handoff, false)]
        );
    }

    #[test]
    fn coalesce_keys_separate_members_and_kinds() {
        let offline = Trigger::new(EventKind::Offline, false);
        assert_eq!(offline.coalesce_key("m_a"), "m_a/offline");
        assert_ne!(offline.coalesce_key("m_a"), offline.coalesce_key("m_b"));
        let back = Trigger::new(EventKind::Back, false);
        assert_ne!(offline.coalesce_key("m_a"), back.coalesce_key("m_a"));
    }

    #[test]
    fn a_hand_off_event_tells_this_writes_hand_offs_and_absorbs_the_one_it_replaces() {
        let sample = Event::sample(standin::time::Timestamp(0));
        let key = sample.items[0].key.clone();
        let trigger = |item: Option<&str>| Trigger {
            handoffs: vec![to(item, "m_sample_bob")],
            ..Trigger::new(EventKind::Handoff, false)
        };
        let mut cover_only = sample.clone();
        keep_handoffs(&mut cover_only, &trigger(None));
        assert!(cover_only.items.is_empty() && cover_only.cover.is_some());
        let mut item_only = sample.clone();
        keep_handoffs(&mut item_only, &trigger(Some(&key)));
        assert_eq!(
            (item_only.items.len(), item_only.cover.is_none()),
            (1, true)
        );
        absorb(&mut item_only, cover_only.clone());
        assert_eq!(item_only.items, sample.items);
        assert_eq!(item_only.cover, sample.cover);
        // Nothing twice.
        absorb(&mut item_only, sample.clone());
        assert_eq!(item_only.items.len(), 1);
    }
}
