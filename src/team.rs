//! The team cache the background worker keeps in `storage.local` (DESIGN.md §4), and the rows
//! of the popup's Team view. Pure: the worker feeds it server answers, the popup a clock and
//! zone rules.

use crate::api::{ChangesResponse, MemberState, TeamInfo, TeamStates};
use crate::display::shown;
use crate::model::{Member, Status};
use crate::time::{humanize_duration, LocalDateTime, Timestamp, ZoneOffsets};
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
        self.states = snapshot
            .states
            .into_iter()
            .map(|s| (s.member_id.clone(), s))
            .collect();
        self.members = members.into_iter().map(|m| (m.id.clone(), m)).collect();
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
    pub expired: bool,
    /// Their wall-clock time now, `HH:MM`.
    pub local_time: String,
    /// "back Tue 09:00 (your time)" when they set a back-at.
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
        expired: declared.is_some_and(|s| s.is_expired(now)),
        local_time: LocalDateTime::at(now, member_zone).time.to_string(),
        back: back_at.map(|at| {
            let local = LocalDateTime::at(at, viewer_zone);
            format!(
                "back {} {} (your time)",
                local.date.weekday().short_name(),
                local.time
            )
        }),
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

/// Rows for every member: the reachable (online, focus) first by name, then everyone else by
/// when they are back (soonest first, unknown last), then by name.
pub fn roster_rows(
    cache: &TeamCache,
    now: Timestamp,
    viewer_zone: &dyn ZoneOffsets,
    zone_of: &dyn Fn(&str) -> Box<dyn ZoneOffsets>,
) -> Vec<RosterRow> {
    // Each row with its sort key, computed once.
    let mut rows: Vec<_> = cache
        .members
        .values()
        .map(|member| {
            roster_row(
                cache,
                member,
                now,
                viewer_zone,
                zone_of(&member.timezone).as_ref(),
            )
        })
        .map(|row| {
            let reachable =
                matches!(row.status, Some(Status::Online | Status::Focus)) && !row.expired;
            let back = match (reachable, row.back_at) {
                (true, _) => (0, 0),
                (false, Some(at)) => (0, at.millis()),
                (false, None) => (1, 0),
            };
            ((!reachable, back, crate::text::lowercase(&row.name)), row)
        })
        .collect();
    crate::sort::sort_by(&mut rows, |a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::sample;
    use crate::model::{DeclaredState, Handles};
    use crate::time::FixedOffset;

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
        assert_eq!(zoe.local_time, "16:36");
        assert_eq!(zoe.back.as_deref(), Some("back Wed 22:06 (your time)"));
        assert_eq!(zoe.declared.as_deref(), Some("declared 3 h ago"));
        assert_eq!(zoe.cover.as_deref(), Some("alice"));
        let cy = &rows[4];
        assert_eq!((cy.status, cy.declared.as_ref()), (None, None));
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
