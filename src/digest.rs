//! "Since you were away": what teammates declared while the user was off, from the team cache.
//! Pure; the popup renders a [`Digest`] behind the chip [`chip_text`] names, and the background
//! worker shows [`unacknowledged_count`] on the toolbar badge.
//!
//! The team cache holds each member's *current* declaration (the server keeps no history), so
//! the digest lists every teammate whose current declaration was made after the user's own
//! last one, plus any declaration that still hands the user something unacknowledged, however
//! old. Declarations handing something to the user come first, then the newest.

use crate::api::{item_key, Ack, ApiError, MemberState};
use crate::http::{Answer, NetError};
use crate::model::{DeclaredState, Member, WorkItem};
use crate::team::TeamCache;
use crate::time::Timestamp;

/// A hand-off as the recipient sees it: an item (or the declaration's cover) addressed to
/// them, and whether they acknowledged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// The item's key ([`item_key`]); `None` for the cover ("covers for me").
    pub item: Option<String>,
    /// When the user acknowledged it, if they did.
    pub acked_at: Option<Timestamp>,
}

/// One teammate's declaration in the digest.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub member: &'a Member,
    pub state: &'a DeclaredState,
    /// The state's acknowledgements (by anyone), for "acknowledged by Bob 09:12".
    pub acks: &'a [Ack],
    /// What this declaration hands to the user, in item order, the cover first.
    pub handoffs: Vec<Handoff>,
    /// Made after the user's last declaration (not only listed for an old hand-off).
    pub new: bool,
    pub expired: bool,
}

impl Entry<'_> {
    /// The hand-off of `item` to the user, if this is one.
    pub fn handoff(&self, item: &WorkItem) -> Option<&Handoff> {
        let key = item_key(item);
        self.handoffs
            .iter()
            .find(|h| h.item.as_deref() == Some(key))
    }

    pub fn unacknowledged(&self) -> usize {
        self.handoffs
            .iter()
            .filter(|h| h.acked_at.is_none())
            .count()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Digest<'a> {
    pub entries: Vec<Entry<'a>>,
}

impl Digest<'_> {
    /// Hand-offs to the user not yet acknowledged, over every entry.
    pub fn unacknowledged(&self) -> usize {
        self.entries.iter().map(Entry::unacknowledged).sum()
    }

    /// The newest declaration listed, for "is there anything the user has not seen".
    pub fn newest(&self) -> Option<Timestamp> {
        self.entries.iter().map(|e| e.state.declared_at).max()
    }
}

/// The hand-offs in `state` the server resolved to member `me`, with `me`'s acknowledgements:
/// what the text of a hand-off says is not consulted, so a teammate who took a name later is
/// never handed it.
fn handoffs_to(me: &str, state: &MemberState) -> Vec<Handoff> {
    let Some(declared) = &state.state else {
        return Vec::new();
    };
    let d = &declared.declaration;
    let cover = d.cover.as_ref().map(|_| None);
    let items = d
        .items
        .iter()
        .filter(|i| i.handoff_to.is_some())
        .map(|i| Some(item_key(i)));
    cover
        .into_iter()
        .chain(items)
        .filter(|key| state.recipient(*key) == Some(me))
        .map(|key| Handoff {
            item: key.map(str::to_owned),
            acked_at: state
                .acks
                .iter()
                .find(|a| a.by == me && a.item.as_deref() == key)
                .map(|a| a.at),
        })
        .collect()
}

/// The digest for the member `me_id` whose own last declaration was at `since` (`None`: they
/// never declared, so everything is new). An expired declaration is listed only when new, and
/// its hand-offs are not counted as waiting (it is stale).
pub fn digest<'a>(
    cache: &'a TeamCache,
    me_id: &str,
    since: Option<Timestamp>,
    now: Timestamp,
) -> Digest<'a> {
    let mut entries: Vec<Entry<'a>> = cache
        .states
        .values()
        .filter(|s| s.member_id != me_id)
        .filter_map(|s| {
            let member = cache.members.get(&s.member_id)?;
            let state = s.state.as_ref()?;
            let expired = state.is_expired(now);
            let handoffs = if expired {
                Vec::new()
            } else {
                handoffs_to(me_id, s)
            };
            let new = since.is_none_or(|since| state.declared_at > since);
            let waiting = handoffs.iter().any(|h| h.acked_at.is_none());
            (new || waiting).then_some(Entry {
                member,
                state,
                acks: &s.acks,
                handoffs,
                new,
                expired,
            })
        })
        .collect();
    // Hand-offs to the user first, then newest first.
    let key = |e: &Entry| {
        (
            e.handoffs.is_empty(),
            std::cmp::Reverse(e.state.declared_at),
        )
    };
    entries.sort_by_key(key);
    Digest { entries }
}

/// The chip that opens the digest (the popup always opens on the form): "4 hand-offs for you"
/// while any wait, else "3 updates since you were away" for declarations made since the user's
/// own and since they last closed the digest (`seen`), else a plain way back to it. `None`
/// when there is nothing to show.
pub fn chip_text(digest: &Digest, seen: Option<Timestamp>) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let unseen = digest
        .entries
        .iter()
        .filter(|e| e.new && seen.is_none_or(|seen| e.state.declared_at > seen))
        .count();
    match (digest.unacknowledged(), unseen) {
        _ if digest.entries.is_empty() => None,
        (0, 0) => Some("Since you were away".to_string()),
        (0, n) => Some(plural(n, "update", "updates") + " since you were away"),
        (n, _) => Some(plural(n, "hand-off", "hand-offs") + " for you"),
    }
}

/// Every hand-off to the user still waiting, as the acknowledgements "Acknowledge all" sends:
/// `(declarer's member id, item key or None for the cover)`, in the digest's order.
pub fn waiting<'a>(digest: &'a Digest) -> Vec<(&'a str, Option<&'a str>)> {
    digest
        .entries
        .iter()
        .flat_map(|e| {
            e.handoffs
                .iter()
                .filter(|h| h.acked_at.is_none())
                .map(|h| (e.member.id.as_str(), h.item.as_deref()))
        })
        .collect()
}

/// The toolbar badge's count: hand-offs addressed to `me_id` in teammates' current, unexpired
/// declarations that they have not acknowledged.
pub fn unacknowledged_count(cache: &TeamCache, me_id: &str, now: Timestamp) -> usize {
    cache
        .states
        .values()
        .filter(|s| s.member_id != me_id)
        .filter(|s| s.state.as_ref().is_some_and(|d| !d.is_expired(now)))
        .flat_map(|s| handoffs_to(me_id, s))
        .filter(|h| h.acked_at.is_none())
        .count()
}

/// The acknowledgements of the user's own hand-offs, for "acknowledged by Bob 09:12" on their
/// items: `(item key or None for the cover, who by (display name, or id when unknown), when)`.
pub fn acks_of_own<'a>(
    cache: &'a TeamCache,
    me_id: &str,
) -> Vec<(Option<&'a str>, &'a str, Timestamp)> {
    let Some(own) = cache.states.get(me_id) else {
        return Vec::new();
    };
    own.acks
        .iter()
        .map(|a| {
            let by = cache
                .members
                .get(&a.by)
                .map_or(a.by.as_str(), |m| m.display_name.as_str());
            (a.item.as_deref(), by, a.at)
        })
        .collect()
}

/// Why an acknowledgement did not reach the server.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckFailure {
    /// 401: the token is refused; the worker disconnects.
    #[error("the team server no longer accepts this browser")]
    Unauthorized,
    /// Anything else, in words the popup shows.
    #[error("{0}")]
    Failed(String),
}

/// Reads the answer to `POST /v1/team/acks`: the declarer's state with the acknowledgement,
/// or why not. Only a body in the API's error format is the server speaking (403: not
/// addressed to you; 404: the hand-off is gone, e.g. the declaration changed meanwhile).
pub fn ack_result(answer: Result<Answer, NetError>) -> Result<MemberState, AckFailure> {
    let answer = answer.map_err(|e| AckFailure::Failed(format!("Not sent: {e}. Try again.")))?;
    match answer.status {
        200..=299 => answer
            .json::<MemberState>()
            .map_err(|_| AckFailure::Failed("The server's answer was unreadable.".to_string())),
        401 => Err(AckFailure::Unauthorized),
        status => Err(AckFailure::Failed(match answer.json::<ApiError>() {
            Ok(error) if (400..500).contains(&status) => error.message,
            _ => format!("Not sent: the server answered {status}. Try again."),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Recipient;
    use crate::model::tests::sample;
    use crate::model::{Handles, ItemState};

    const NOW: Timestamp = Timestamp(1_795_000_000_000); // 2026-11-18T11:06:40Z

    fn member(id: &str, name: &str, github: &str) -> Member {
        Member {
            id: id.into(),
            display_name: name.into(),
            handles: Handles {
                github: Some(github.into()),
                ..Handles::default()
            },
            timezone: "UTC".into(),
            working_hours: None,
        }
    }

    fn item(n: u32, handoff_to: Option<&str>) -> WorkItem {
        WorkItem {
            url: format!("https://github.com/o/r/pull/{n}"),
            canonical_ref: format!("github.com/o/r/pull/{n}"),
            title: format!("PR {n}"),
            note: String::new(),
            state: ItemState::InProgress,
            handoff_to: handoff_to.map(str::to_string),
        }
    }

    /// `id` declared `minutes_ago` with these items and cover.
    fn state(
        id: &str,
        minutes_ago: i64,
        items: Vec<WorkItem>,
        cover: Option<&str>,
        acks: Vec<Ack>,
    ) -> MemberState {
        let mut declaration = sample();
        declaration.items = items;
        declaration.cover = cover.map(str::to_string);
        MemberState {
            member_id: id.into(),
            version: 1,
            state: Some(DeclaredState {
                declaration,
                declared_at: NOW.plus_minutes(-minutes_ago),
                version: 1,
            }),
            acks,
            recipients: vec![],
        }
    }

    fn ack(item: Option<&str>, by: &str) -> Ack {
        Ack {
            item: item.map(str::to_string),
            by: by.into(),
            at: NOW.plus_minutes(-5),
        }
    }

    /// Bob ("me", GitHub bobs) and three teammates; hand-offs resolved as the server does.
    fn cache(states: Vec<MemberState>) -> TeamCache {
        let mut cache = TeamCache::default();
        for m in [
            member("me", "Bob", "bobs"),
            member("ann", "Ann", "ann"),
            member("cy", "Cy", "cy"),
            member("dee", "Dee", "dee"),
        ] {
            cache.members.insert(m.id.clone(), m);
        }
        let roster: Vec<&Member> = cache.members.values().collect();
        let states: Vec<MemberState> = states
            .into_iter()
            .map(|mut s| {
                if let Some(d) = &s.state {
                    s.recipients = crate::api::recipients(&d.declaration, &roster);
                }
                s
            })
            .collect();
        for s in states {
            cache.states.insert(s.member_id.clone(), s);
        }
        cache
    }

    fn names(d: &Digest) -> Vec<String> {
        d.entries
            .iter()
            .map(|e| e.member.display_name.clone())
            .collect()
    }

    #[test]
    fn lists_declarations_since_mine_with_handoffs_to_me_first() {
        let c = cache(vec![
            state("me", 600, vec![item(9, Some("ann"))], None, vec![]),
            // Ann: newest, hands nothing to me.
            state("ann", 10, vec![item(1, None)], None, vec![]),
            // Cy: older, hands PR 2 to me by GitHub handle.
            state(
                "cy",
                300,
                vec![item(1, None), item(2, Some("@BobS"))],
                None,
                vec![],
            ),
            // Dee: declared before I did, nothing for me: not listed.
            state("dee", 700, vec![item(3, None)], None, vec![]),
        ]);
        let d = digest(&c, "me", Some(NOW.plus_minutes(-600)), NOW);
        assert_eq!(names(&d), ["Cy", "Ann"]);
        let cy = &d.entries[0];
        assert!(cy.new);
        assert_eq!(
            cy.handoffs,
            [Handoff {
                item: Some("github.com/o/r/pull/2".into()),
                acked_at: None
            }]
        );
        let items = &cy.state.declaration.items;
        assert!(cy.handoff(&items[1]).is_some() && cy.handoff(&items[0]).is_none());
        assert_eq!(d.unacknowledged(), 1);
        assert_eq!(d.newest(), Some(NOW.plus_minutes(-10)));
        // Never declared: everyone (but me) is new.
        assert_eq!(names(&digest(&c, "me", None, NOW)), ["Cy", "Ann", "Dee"]);
    }

    #[test]
    fn an_old_unacknowledged_handoff_stays_listed_until_acknowledged() {
        let before_me = state("dee", 700, vec![], Some("Bob"), vec![]);
        let c = cache(vec![before_me.clone()]);
        let since = Some(NOW.plus_minutes(-600));
        let d = digest(&c, "me", since, NOW);
        assert_eq!(names(&d), ["Dee"]);
        assert!(!d.entries[0].new);
        assert_eq!(d.entries[0].handoffs[0].item, None, "the cover");
        assert_eq!(unacknowledged_count(&c, "me", NOW), 1);

        let mut acked = before_me;
        acked.acks = vec![ack(None, "me")];
        let c = cache(vec![acked]);
        assert!(digest(&c, "me", since, NOW).entries.is_empty());
        assert_eq!(unacknowledged_count(&c, "me", NOW), 0);
    }

    #[test]
    fn the_badge_counts_only_my_unacknowledged_handoffs() {
        let c = cache(vec![
            state(
                "ann",
                10,
                vec![
                    item(1, Some("me")),
                    item(2, Some("bobby")),
                    item(3, Some("cy")),
                ],
                Some("bobs"),
                // Someone else's ack of my item does not count as mine.
                vec![ack(Some("github.com/o/r/pull/1"), "cy")],
            ),
            state(
                "cy",
                20,
                vec![item(4, Some("Bob")), item(5, Some("Bob"))],
                None,
                vec![ack(Some("github.com/o/r/pull/4"), "me")],
            ),
            // My own declaration handing to myself is not a hand-off to acknowledge.
            state("me", 30, vec![item(6, Some("me"))], None, vec![]),
        ]);
        // Ann: PR 1 (id) and the cover (GitHub handle); "bobby" names nobody. Cy: PR 5.
        assert_eq!(unacknowledged_count(&c, "me", NOW), 3);
        assert_eq!(unacknowledged_count(&c, "stranger", NOW), 0);
        let d = digest(&c, "me", Some(NOW.plus_minutes(-30)), NOW);
        assert_eq!(d.unacknowledged(), 3);
        let cy = d.entries.iter().find(|e| e.member.id == "cy").unwrap();
        assert_eq!(cy.handoffs[0].acked_at, Some(NOW.plus_minutes(-5)));
    }

    #[test]
    fn hand_offs_count_by_the_member_the_server_resolved_not_by_the_text() {
        // Cy handed PR 1 to "bob" when that was Ann's name; PR 2 to "ann", which resolved to
        // me (the name was mine then). Renames since do not move them.
        let mut s = state(
            "cy",
            10,
            vec![item(1, Some("Bob")), item(2, Some("ann"))],
            Some("Bob"),
            vec![],
        );
        s.recipients = vec![
            Recipient {
                item: Some("github.com/o/r/pull/1".into()),
                member: "ann".into(),
            },
            Recipient {
                item: Some("github.com/o/r/pull/2".into()),
                member: "me".into(),
            },
        ];
        let mut c = cache(vec![]);
        c.states.insert("cy".into(), s);
        let d = digest(&c, "me", None, NOW);
        assert_eq!(
            d.entries[0].handoffs,
            [Handoff {
                item: Some("github.com/o/r/pull/2".into()),
                acked_at: None
            }]
        );
        assert_eq!(unacknowledged_count(&c, "me", NOW), 1);
        assert_eq!(unacknowledged_count(&c, "ann", NOW), 1);
        // An unresolved cover ("Bob" named no one then) is handed to no one.
        assert!(d.entries[0].handoffs.iter().all(|h| h.item.is_some()));
    }

    #[test]
    fn expired_declarations_hand_nothing_off() {
        let mut s = state("ann", 10, vec![item(1, Some("me"))], None, vec![]);
        if let Some(d) = s.state.as_mut() {
            d.declaration.expires_at = Some(NOW.plus_minutes(-1));
        }
        let c = cache(vec![s]);
        assert_eq!(unacknowledged_count(&c, "me", NOW), 0);
        let d = digest(&c, "me", Some(NOW.plus_minutes(-60)), NOW);
        assert_eq!(names(&d), ["Ann"], "still listed: it is new");
        assert!(d.entries[0].expired && d.entries[0].handoffs.is_empty());
    }

    #[test]
    fn cleared_states_and_unknown_members_are_skipped() {
        let mut cleared = state("ann", 10, vec![], None, vec![]);
        cleared.state = None;
        let ghost = state("ghost", 10, vec![item(1, Some("me"))], None, vec![]);
        let c = cache(vec![cleared, ghost]);
        assert!(digest(&c, "me", None, NOW).entries.is_empty());
    }

    #[test]
    fn ack_answers_are_read_as_the_server_means_them() {
        use crate::http::tests::answer;
        let state = state("ann", 10, vec![], Some("me"), vec![ack(None, "me")]);
        let ok = answer(200, &serde_json::to_string(&state).unwrap());
        assert_eq!(ack_result(ok), Ok(state));
        assert_eq!(ack_result(answer(401, "{}")), Err(AckFailure::Unauthorized));
        let forbidden = answer(
            403,
            r#"{"error":"forbidden","message":"That hand-off is addressed to someone else."}"#,
        );
        assert_eq!(
            ack_result(forbidden),
            Err(AckFailure::Failed(
                "That hand-off is addressed to someone else.".into()
            ))
        );
        for (status, body) in [(502, "<html>bad gateway</html>"), (404, "<h1>nope</h1>")] {
            assert_eq!(
                ack_result(answer(status, body)),
                Err(AckFailure::Failed(format!(
                    "Not sent: the server answered {status}. Try again."
                )))
            );
        }
        assert!(matches!(
            ack_result(answer(200, "[]")),
            Err(AckFailure::Failed(_))
        ));
        assert_eq!(
            ack_result(Err(NetError::Timeout)),
            Err(AckFailure::Failed(
                "Not sent: no answer in time. Try again.".into()
            ))
        );
    }

    #[test]
    fn the_chip_counts_handoffs_first_then_unseen_updates() {
        // Cy hands me PRs 1 and 2, Dee (declared before me) her cover; `acked` are mine.
        let team = |acked: &[Option<&str>]| {
            let mine = |keys: &[Option<&str>]| -> Vec<Ack> {
                let keys = keys.iter().filter(|k| acked.contains(k));
                keys.map(|k| ack(*k, "me")).collect()
            };
            let prs = [Some("github.com/o/r/pull/1"), Some("github.com/o/r/pull/2")];
            let items = vec![item(1, Some("me")), item(2, Some("me"))];
            cache(vec![
                state("ann", 10, vec![], None, vec![]),
                state("cy", 20, items, None, mine(&prs)),
                state("dee", 700, vec![], Some("me"), mine(&[None])),
            ])
        };
        let c = team(&[]);
        let d = digest(&c, "me", Some(NOW.plus_minutes(-600)), NOW);
        assert_eq!(chip_text(&d, None).as_deref(), Some("3 hand-offs for you"));
        assert_eq!(
            waiting(&d),
            [
                ("cy", Some("github.com/o/r/pull/1")),
                ("cy", Some("github.com/o/r/pull/2")),
                ("dee", None)
            ]
        );
        // All acknowledged: Ann's and Cy's declarations are the news, until seen.
        let c = team(&[
            Some("github.com/o/r/pull/1"),
            Some("github.com/o/r/pull/2"),
            None,
        ]);
        let d = digest(&c, "me", Some(NOW.plus_minutes(-600)), NOW);
        assert!(waiting(&d).is_empty());
        assert_eq!(
            chip_text(&d, None).as_deref(),
            Some("2 updates since you were away")
        );
        let seen_between = Some(NOW.plus_minutes(-15));
        assert_eq!(
            chip_text(&d, seen_between).as_deref(),
            Some("1 update since you were away")
        );
        assert_eq!(
            chip_text(&d, Some(NOW)).as_deref(),
            Some("Since you were away")
        );
        let one = cache(vec![state(
            "cy",
            20,
            vec![item(1, Some("me"))],
            None,
            vec![],
        )]);
        let d = digest(&one, "me", None, NOW);
        assert_eq!(chip_text(&d, None).as_deref(), Some("1 hand-off for you"));
        assert_eq!(chip_text(&Digest::default(), None), None);
    }

    #[test]
    fn my_own_acks_read_with_names() {
        let c = cache(vec![state(
            "me",
            30,
            vec![item(6, Some("ann"))],
            Some("cy"),
            vec![ack(Some("github.com/o/r/pull/6"), "ann"), ack(None, "gone")],
        )]);
        let acks = acks_of_own(&c, "me");
        assert_eq!(
            acks,
            [
                (Some("github.com/o/r/pull/6"), "Ann", NOW.plus_minutes(-5)),
                (None, "gone", NOW.plus_minutes(-5)),
            ]
        );
        assert!(acks_of_own(&c, "ann").is_empty());
    }
}
