//! Which team events a state write makes, from the declaration before and after it. Pure: the
//! storage calls it inside the write's transaction, and it is tested here natively.

use super::EventKind;
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
    /// The hand-off a [`EventKind::Handoff`] announces.
    pub handoff: Option<Recipient>,
}

impl Trigger {
    fn new(kind: EventKind, amends: bool) -> Trigger {
        Trigger {
            kind,
            amends,
            handoff: None,
        }
    }

    /// What a newer event of the same member replaces while both wait: the same kind, and for
    /// a hand-off the same item and recipient.
    pub fn coalesce_key(&self, member_id: &str) -> String {
        match &self.handoff {
            Some(r) => format!(
                "{member_id}/handoff/{}/{}",
                r.item.as_deref().unwrap_or(""),
                r.member
            ),
            None => format!("{member_id}/{}", self.kind.as_str()),
        }
    }
}

fn away(declared: Option<Declared>) -> Option<EventKind> {
    match declared?.declaration.status {
        Status::Offline => Some(EventKind::Offline),
        Status::Ooo => Some(EventKind::Ooo),
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
    for handoff in after.map_or(&[][..], |d| d.recipients) {
        if !old.contains(handoff) {
            events.push(Trigger {
                handoff: Some(handoff.clone()),
                ..Trigger::new(EventKind::Handoff, false)
            });
        }
    }
    events
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
        assert_eq!(kinds(&detect(None, on(&offline))), [(EventKind::Offline, false)]);
        assert_eq!(kinds(&detect(on(&online), on(&offline))), [(EventKind::Offline, false)]);
        assert_eq!(kinds(&detect(on(&offline), on(&ooo))), [(EventKind::Ooo, false)]);
        // The same declaration again is no event; an edit of it amends the pending post.
        assert_eq!(detect(on(&offline), on(&offline)), []);
        let fixed = decl(Status::Offline, "done for today!");
        assert_eq!(kinds(&detect(on(&offline), on(&fixed))), [(EventKind::Offline, true)]);
    }

    #[test]
    fn coming_back_is_an_event_and_staying_online_is_none() {
        let offline = decl(Status::Offline, "gone");
        for status in [Status::Online, Status::Focus, Status::Away] {
            let back = decl(status, "back");
            assert_eq!(kinds(&detect(on(&offline), on(&back))), [(EventKind::Back, false)]);
            assert_eq!(detect(on(&back), on(&decl(Status::Online, "x"))), []);
            assert_eq!(detect(None, on(&back)), []);
        }
        // Clearing an away declaration is coming back too; clearing an online one is nothing.
        assert_eq!(kinds(&detect(on(&offline), None)), [(EventKind::Back, false)]);
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
        let handed: Vec<_> = events.iter().filter_map(|e| e.handoff.clone()).collect();
        assert_eq!(handed, more[1..]);
        assert!(events.iter().all(|e| e.kind == EventKind::Handoff && !e.amends));
        // Handed to someone else: a new event for the new recipient.
        let moved = [to(Some("github.com/o/r/pull/1"), "m_cat")];
        assert_eq!(detect(with(&d, &first), with(&d, &moved)).len(), 1);
        assert_eq!(detect(with(&d, &more), with(&d, &first)), []);
    }

    #[test]
    fn coalesce_keys_separate_members_kinds_and_hand_offs() {
        let offline = Trigger::new(EventKind::Offline, false);
        assert_eq!(offline.coalesce_key("m_a"), "m_a/offline");
        assert_ne!(offline.coalesce_key("m_a"), offline.coalesce_key("m_b"));
        let handoff = |item, member| Trigger {
            handoff: Some(to(item, member)),
            ..Trigger::new(EventKind::Handoff, false)
        };
        assert_eq!(handoff(None, "m_c").coalesce_key("m_a"), "m_a/handoff//m_c");
        assert_ne!(
            handoff(Some("x"), "m_c").coalesce_key("m_a"),
            handoff(Some("x"), "m_d").coalesce_key("m_a")
        );
    }
}
