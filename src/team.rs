//! The team cache the background worker keeps in `storage.local` (DESIGN.md §4), and the rows
//! of the popup's Team view. Pure: the worker feeds it server answers, the popup a clock and
//! zone rules.

use crate::api::{ChangesResponse, MemberState, TeamInfo, TeamStates};
use crate::display::{back_your_time, now_there, shown};
use crate::model::{DeclaredState, Member, Status};
use crate::shift::shifts_around;
use crate::time::{humanize_duration, Timestamp, ZoneOffsets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the extension knows about the team, keyed by member id (JSON objects in
/// storage, in id order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamCache {
    #[serde(default)]
    pub team: Option<TeamInfo>,
    /// Where the next long poll starts (`after`).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub cursor: u64,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub members: BTreeMap<String, Member>,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub states: BTreeMap<String, MemberState>,
}

impl TeamCache {
    /// Replaces the states with a full snapshot (`GET /v1/team/states`) and the roster with
    /// `GET /v1/team`'s members.
    pub fn replace(&mut self, snapshot: TeamStates, members: Vec<Member>) {
        self.team = Some(snapshot.team);
        self.cursor = snapshot.cursor;
        self.states.clear();
        for state in snapshot.states {
            self.states.insert(state.member_id.clone(), state);
        }
        self.members.clear();
        for member in members {
            self.members.insert(member.id.clone(), member);
        }
    }

    /// Applies a long poll's answer. Returns whether anything changed (to skip a storage
    /// write). A `reset` answer is a full picture and replaces the states.
    pub fn apply(&mut self, changes: ChangesResponse) -> bool {
        let before = (self.cursor, self.states.len(), self.members.len());
        let changed = changes.reset
            || !changes.states.is_empty()
            || !changes.members.is_empty()
            || !changes.removed_members.is_empty();
        if changes.reset {
            self.states.clear();
        }
        for state in changes.states {
            // Versions only grow: an older copy arriving late never replaces a newer one.
            let newer = self
                .states
                .get(&state.member_id)
                .is_none_or(|known| state.version >= known.version);
            if newer {
                self.states.insert(state.member_id.clone(), state);
            }
        }
        for member in changes.members {
            self.members.insert(member.id.clone(), member);
        }
        for id in changes.removed_members {
            self.members.remove(&id);
            self.states.remove(&id);
        }
        self.cursor = changes.cursor;
        changed || before != (self.cursor, self.states.len(), self.members.len())
    }
}

/// One line of the Team view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterRow {
    pub member_id: String,
    pub name: String,
    /// `None` when the member has not declared (or cleared).
    pub status: Option<Status>,
    pub headline: String,
    pub emoji: Option<String>,
    pub expired: bool,
    /// Their current declaration says out of office: drawn as absent.
    pub out_of_office: bool,
    /// Their wall-clock time now, said to be now: "now 05:29 there".
    pub now_there: String,
    /// "back Tue 09:00 (your time)" when they set a back-at ("back 19 Dec (your time)" from six
    /// days on, `display::return_time`).
    pub back: Option<String>,
    pub back_at: Option<Timestamp>,
    pub cover: Option<String>,
    /// "declared 3 h ago".
    pub declared: Option<String>,
}

/// One member's row: what the Team view lists and what the badges and cards on tracker pages
/// show (`features::badges`), computed in one place; its texts [`shown`].
pub fn roster_row(
    cache: &TeamCache,
    member: &Member,
    now: Timestamp,
    viewer_zone: &dyn ZoneOffsets,
    member_zone: &dyn ZoneOffsets,
) -> RosterRow {
    let declared = cache.states.get(&member.id).and_then(|s| s.state.as_ref());
    let d = declared.map(|s| &s.declaration);
    let back_at = d.and_then(|d| d.back_at).filter(|at| *at > now);
    RosterRow {
        member_id: member.id.clone(),
        name: shown(&member.display_name),
        status: d.map(|d| d.status),
        headline: d.map(|d| shown(&d.headline)).unwrap_or_default(),
        emoji: d.and_then(|d| d.emoji.as_deref().map(shown)),
        expired: declared.is_some_and(|s| s.is_expired(now)),
        out_of_office: declared.is_some_and(|s| is_out_of_office(s, now)),
        now_there: now_there(now, member_zone),
        back: back_at.map(|at| back_your_time(at, now, viewer_zone)),
        back_at,
        cover: d.and_then(|d| d.cover.as_deref().map(shown)),
        declared: declared.map(|s| {
            format!(
                "declared {} ago",
                humanize_duration(now.millis() - s.declared_at.millis())
            )
        }),
    }
}

/// Whom a hand-off in `state` (`item` key, or `None` for the cover) goes to, as the viewer
/// `me` reads it: "you" when the server resolved it to them, else that member's name, else the
/// words it was written with.
pub fn handed_to(
    cache: &TeamCache,
    state: &MemberState,
    item: Option<&str>,
    written: &str,
    me: Option<&str>,
) -> String {
    match state.recipient(item) {
        Some(id) if Some(id) == me => "you".to_string(),
        id => id
            .and_then(|id| cache.members.get(id))
            .map_or_else(|| shown(written), |m| shown(&m.display_name)),
    }
}

fn is_out_of_office(state: &DeclaredState, now: Timestamp) -> bool {
    state.declaration.status == Status::Ooo && !state.is_expired(now)
}

/// Where a teammate is now, as the Team view orders and the timeline draws them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Presence {
    /// Their current declaration's status; without one, online within their working hours,
    /// else offline.
    pub status: Status,
    /// When an unreachable teammate is back: their declared back-at, else their next shift.
    pub back_at: Option<Timestamp>,
}

impl Presence {
    /// Reachable now: online or focus.
    pub fn reachable(&self) -> bool {
        matches!(self.status, Status::Online | Status::Focus)
    }

    /// Out of office: drawn as absent.
    pub fn out_of_office(&self) -> bool {
        self.status == Status::Ooo
    }
}

/// `member`'s presence at `now`; `zone` is theirs. An expired declaration counts as none.
pub fn presence(
    cache: &TeamCache,
    member: &Member,
    now: Timestamp,
    zone: &dyn ZoneOffsets,
) -> Presence {
    let declared = cache
        .states
        .get(&member.id)
        .and_then(|s| s.state.as_ref())
        .filter(|s| !s.is_expired(now));
    let status = match declared {
        Some(s) => s.declaration.status,
        None => {
            let in_hours = member.working_hours.as_ref().is_some_and(|hours| {
                shifts_around(hours, now, zone, 1, 0)
                    .iter()
                    .any(|s| s.contains(now))
            });
            if in_hours {
                Status::Online
            } else {
                Status::Offline
            }
        }
    };
    let presence = Presence {
        status,
        back_at: None,
    };
    if presence.reachable() {
        return presence;
    }
    let declared_back = declared.and_then(|s| s.declaration.back_at);
    Presence {
        back_at: declared_back.filter(|at| *at > now).or_else(|| {
            member
                .working_hours
                .as_ref()
                .and_then(|h| h.next_start(now, zone))
        }),
        ..presence
    }
}

/// The one order of the team, shared by the Team view's list and its timeline: the reachable
/// first, then everyone else by when they are back (soonest first, unknown last); ties by
/// name, then id.
pub fn team_order<'a>(
    cache: &'a TeamCache,
    now: Timestamp,
    zone_of: &dyn Fn(&str) -> Box<dyn ZoneOffsets>,
) -> Vec<(&'a Member, Presence)> {
    let mut members: Vec<_> = cache
        .members
        .values()
        .map(|m| {
            let p = presence(cache, m, now, zone_of(&m.timezone).as_ref());
            let key = (
                !p.reachable(),
                p.back_at.is_none(),
                p.back_at,
                crate::text::lowercase(&m.display_name),
            );
            (key, m, p)
        })
        .collect();
    // Stable: equal keys keep the cache's (member id) order.
    members.sort_by(|a, b| a.0.cmp(&b.0));
    members.into_iter().map(|(_, m, p)| (m, p)).collect()
}

/// Rows for every member, in [`team_order`].
pub fn roster_rows(
    cache: &TeamCache,
    now: Timestamp,
    viewer_zone: &dyn ZoneOffsets,
    zone_of: &dyn Fn(&str) -> Box<dyn ZoneOffsets>,
) -> Vec<RosterRow> {
    team_order(cache, now, zone_of)
        .into_iter()
        .map(|(member, _)| {
            roster_row(
                cache,
                member,
                now,
                viewer_zone,
                zone_of(&member.timezone).as_ref(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::sample;
    use crate::model::{DeclaredState, Handles};
    use crate::time::{FixedOffset, LocalDateTime};

    const NOW: Timestamp = Timestamp(1_795_000_000_000); // 2026-11-18T11:06:40Z, a Wednesday

    fn member(id: &str, name: &str, timezone: &str) -> Member {
        Member {
            id: id.into(),
            display_name: name.into(),
            handles: Handles::default(),
            timezone: timezone.into(),
            working_hours: None,
        }
    }

    fn state(id: &str, version: u64, status: Status, back_in_min: Option<i64>) -> MemberState {
        let mut declaration = sample();
        declaration.status = status;
        declaration.back_at = back_in_min.map(|m| NOW.plus_minutes(m));
        MemberState {
            member_id: id.into(),
            version,
            state: Some(DeclaredState {
                declaration,
                declared_at: NOW.plus_minutes(-180),
                version,
            }),
            acks: vec![],
            recipients: vec![],
        }
    }

    fn changes(cursor: u64, states: Vec<MemberState>) -> ChangesResponse {
        ChangesResponse {
            cursor,
            reset: false,
            states,
            members: vec![],
            removed_members: vec![],
        }
    }

    #[test]
    fn changes_merge_by_version_and_removals_drop_members() {
        let mut cache = TeamCache::default();
        cache.replace(
            TeamStates {
                team: TeamInfo {
                    id: "t".into(),
                    name: "Core".into(),
                },
                cursor: 5,
                states: vec![state("a", 2, Status::Online, None)],
            },
            vec![member("a", "Ann", "UTC"), member("b", "Bo", "UTC")],
        );
        assert!(cache.apply(changes(6, vec![state("a", 3, Status::Offline, None)])));
        assert_eq!(cache.states["a"].version, 3);
        // A late, older copy does not win.
        cache.apply(changes(7, vec![state("a", 2, Status::Online, None)]));
        assert_eq!(cache.states["a"].version, 3);
        assert_eq!(cache.cursor, 7);
        assert!(
            !cache.apply(changes(7, vec![])),
            "an empty answer changes nothing"
        );
        let mut removal = changes(8, vec![]);
        removal.removed_members = vec!["a".into()];
        assert!(cache.apply(removal));
        assert!(!cache.members.contains_key("a") && !cache.states.contains_key("a"));
        let mut reset = changes(2, vec![state("b", 1, Status::Away, None)]);
        reset.reset = true;
        cache.apply(reset);
        assert_eq!(cache.states.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(cache.cursor, 2);
    }

    #[test]
    fn a_snapshot_replaces_everything_and_a_repeated_id_keeps_its_last_entry() {
        let mut cache = TeamCache::default();
        cache
            .states
            .insert("gone".into(), state("gone", 1, Status::Away, None));
        cache
            .members
            .insert("gone".into(), member("gone", "Gone", "UTC"));
        cache.replace(
            TeamStates {
                team: TeamInfo {
                    id: "t".into(),
                    name: "Core".into(),
                },
                cursor: 9,
                states: vec![
                    state("b", 1, Status::Online, None),
                    state("a", 1, Status::Away, None),
                    state("a", 4, Status::Offline, None),
                ],
            },
            vec![
                member("b", "Bo", "UTC"),
                member("a", "Ann", "UTC"),
                member("a", "Anna", "UTC"),
            ],
        );
        assert_eq!(cache.states.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(cache.states["a"].version, 4);
        assert_eq!(cache.members.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(cache.members["a"].display_name, "Anna");
        assert_eq!(cache.cursor, 9);
    }

    #[test]
    fn roster_puts_reachable_first_then_soonest_back() {
        let mut cache = TeamCache::default();
        for (id, name, tz) in [
            ("1", "Zoe", "Asia/Kolkata"),
            ("2", "amir", "UTC"),
            ("3", "Bea", "UTC"),
            ("4", "Cy", "UTC"),
            ("5", "Dan", "UTC"),
        ] {
            cache.members.insert(id.into(), member(id, name, tz));
        }
        for s in [
            state("1", 1, Status::Offline, Some(600)),
            state("2", 1, Status::Ooo, Some(60)),
            state("3", 1, Status::Focus, None),
            state("5", 1, Status::Online, None),
        ] {
            cache.states.insert(s.member_id.clone(), s);
        }
        let zones = |tz: &str| -> Box<dyn ZoneOffsets> {
            Box::new(FixedOffset(if tz == "Asia/Kolkata" { 330 } else { 0 }))
        };
        let rows = roster_rows(&cache, NOW, &FixedOffset(60), &zones);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Bea", "Dan", "amir", "Zoe", "Cy"]);
        let zoe = &rows[3];
        assert_eq!(zoe.now_there, "now 16:36 there");
        assert_eq!(zoe.back.as_deref(), Some("back Wed 22:06 (your time)"));
        assert_eq!(zoe.declared.as_deref(), Some("declared 3 h ago"));
        assert_eq!(zoe.cover.as_deref(), Some("alice"));
        assert_eq!(zoe.emoji, sample().emoji);
        let cy = &rows[4];
        assert_eq!((cy.status, cy.declared.as_ref()), (None, None));
    }

    #[test]
    fn one_order_reachable_by_hours_or_declaration_then_soonest_back() {
        use crate::model::WorkingHours;
        use crate::time::{LocalTime, Weekday};
        let hours = |start, end| WorkingHours {
            days: Weekday::ALL.to_vec(),
            start: LocalTime::hm(start, 0),
            end: LocalTime::hm(end, 0),
        };
        let mut cache = TeamCache::default();
        // NOW is 11:06 UTC. Undeclared: Ivy is within her hours, Lou's start at 13:00.
        for (id, name, h) in [
            ("i", "Ivy", Some(hours(9, 17))),
            ("l", "Lou", Some(hours(13, 21))),
            ("o", "Oli", Some(hours(9, 17))),
            ("p", "Pia", Some(hours(9, 17))),
            ("q", "quinn", None),
            ("x", "Xan", Some(hours(9, 17))),
        ] {
            let mut m = member(id, name, "UTC");
            m.working_hours = h;
            cache.members.insert(id.into(), m);
        }
        // Oli is out of office for 14 days (in hours, but declared away); Pia is offline,
        // back in 30 min; quinn declared focus; Xan's declaration of offline expired: his hours
        // count again.
        let mut expired = state("x", 1, Status::Offline, None);
        if let Some(d) = expired.state.as_mut() {
            d.declaration.expires_at = Some(NOW.plus_minutes(-1));
        }
        for s in [
            state("o", 1, Status::Ooo, Some(14 * 24 * 60)),
            state("p", 1, Status::Offline, Some(30)),
            state("q", 1, Status::Focus, None),
            expired,
        ] {
            cache.states.insert(s.member_id.clone(), s);
        }
        let zones = |_: &str| -> Box<dyn ZoneOffsets> { Box::new(FixedOffset(0)) };
        let order = team_order(&cache, NOW, &zones);
        let names: Vec<_> = order.iter().map(|(m, _)| m.display_name.as_str()).collect();
        assert_eq!(names, ["Ivy", "quinn", "Xan", "Pia", "Lou", "Oli"]);
        let oli = order[5].1;
        assert!(oli.out_of_office() && !oli.reachable());
        assert_eq!(oli.back_at, Some(NOW.plus_minutes(14 * 24 * 60)));
        // Lou's next shift starts at 13:00 today.
        assert_eq!(
            order[4]
                .1
                .back_at
                .map(|at| LocalDateTime::at(at, &FixedOffset(0)).time),
            Some(crate::time::LocalTime::hm(13, 0))
        );
        // The list is in the same order, and draws Oli as out of office.
        let rows = roster_rows(&cache, NOW, &FixedOffset(0), &zones);
        let ids: Vec<_> = rows.iter().map(|r| r.member_id.as_str()).collect();
        assert_eq!(ids, ["i", "q", "x", "p", "l", "o"]);
        assert!(rows[5].out_of_office && !rows[3].out_of_office);
        assert!(!rows[2].out_of_office && rows[2].expired);
    }

    #[test]
    fn hand_offs_read_with_the_resolved_members_name() {
        let mut cache = TeamCache::default();
        cache
            .members
            .insert("s".into(), member("s", "Shun Ueda", "Asia/Tokyo"));
        let mut s = state("a", 1, Status::Offline, None);
        s.recipients = vec![crate::api::Recipient {
            item: Some("github.com/o/r/pull/1".into()),
            member: "s".into(),
        }];
        let to = |item| handed_to(&cache, &s, item, "shun", Some("b"));
        assert_eq!(to(Some("github.com/o/r/pull/1")), "Shun Ueda");
        assert_eq!(to(None), "shun", "unresolved: as written");
        let to_shun = handed_to(&cache, &s, Some("github.com/o/r/pull/1"), "shun", Some("s"));
        assert_eq!(to_shun, "you", "to the viewer");
    }

    #[test]
    fn a_long_absence_reads_as_a_date_and_their_clock_as_now() {
        let mut cache = TeamCache::default();
        cache
            .members
            .insert("k".into(), member("k", "Kavya", "Asia/Kolkata"));
        cache
            .states
            .insert("k".into(), state("k", 1, Status::Ooo, Some(14 * 24 * 60)));
        let row = roster_row(
            &cache,
            &cache.members["k"],
            NOW,
            &FixedOffset(60),
            &FixedOffset(330),
        );
        assert_eq!(row.back.as_deref(), Some("back 2 Dec (your time)"));
        assert_eq!(row.now_there, "now 16:36 there");
    }

    #[test]
    fn stored_team_caches_decode_as_serde_writes_them() {
        use crate::wire::check::round_trips;
        round_trips(&TeamCache::default());
        let mut cache = TeamCache {
            team: Some(TeamInfo {
                id: "t".into(),
                name: "Core".into(),
            }),
            cursor: 12,
            ..TeamCache::default()
        };
        for (id, name) in [("a", "Ann"), ("b", "Bo")] {
            cache.members.insert(id.into(), member(id, name, "UTC"));
        }
        cache
            .states
            .insert("a".into(), state("a", 2, Status::Away, Some(30)));
        let mut cleared = state("b", 5, Status::Online, None);
        cleared.state = None;
        cache.states.insert("b".into(), cleared);
        round_trips(&cache);
        // Stored as JSON objects keyed by member id.
        let json = serde_json::to_value(&cache).unwrap();
        let ids = |map: &str| {
            json[map]
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        };
        assert_eq!(ids("members"), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(ids("states"), Some(vec!["a".to_owned(), "b".to_owned()]));

        assert_eq!(
            crate::wire::from_str::<TeamCache>("{}"),
            Ok(TeamCache::default())
        );
        let read = crate::wire::from_str::<TeamCache>(
            r#"{"cursor":3,"members":{"a":{"id":"a","display_name":"Ann","timezone":"UTC"},
                "a":{"id":"a","display_name":"Anne","timezone":"UTC"}},"states":null}"#,
        )
        .unwrap();
        let serde: TeamCache = serde_json::from_str(
            r#"{"cursor":3,"members":{"a":{"id":"a","display_name":"Ann","timezone":"UTC"},
                "a":{"id":"a","display_name":"Anne","timezone":"UTC"}}}"#,
        )
        .unwrap();
        assert_eq!(read, serde, "a repeated key keeps its last value");
        assert_eq!(read.members["a"].display_name, "Anne");
        for (bad, path) in [
            (r#"{"members":[]}"#, "members"),
            (r#"{"members":{"a":{"id":"a"}}}"#, "members.a.display_name"),
            (
                r#"{"states":{"a":{"member_id":"a","version":"1"}}}"#,
                "states.a.version",
            ),
            (r#"{"cursor":-1}"#, "cursor"),
            (r#"{"team":{"id":"t"}}"#, "team.name"),
        ] {
            assert!(
                serde_json::from_str::<TeamCache>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(
                crate::wire::from_str::<TeamCache>(bad).unwrap_err().path,
                path
            );
        }
    }
}
