//! The storage contract: every test runs against SQLite and PostgreSQL
//! (`sqlite::NAME`, `postgres::NAME`; PostgreSQL needs `DATABASE_URL_PG`).
#![allow(clippy::unwrap_used)]

mod common;

use common::{team_with_invites, ts, TestDb};
use standin::model::{Declaration, Handles, ItemState, Status, WorkItem};
use standin_server::storage::{
    AckOutcome, Invitee, JoinOutcome, Profile, ProfileOutcome, Storage, StorageError, WriteOutcome,
};
use standin_server::token;

for_each_backend!(
    teams_have_unique_names,
    invites_work_once_and_expire,
    concurrent_joins_use_an_invite_once,
    tokens_revoke,
    versions_rise_and_stale_writes_conflict,
    concurrent_writers_on_one_version_one_wins,
    team_states_hold_current_declarations,
    changes_report_exactly_what_moved_after_a_cursor,
    removed_members_lose_access_and_state,
    acks_follow_their_hand_off,
    teams_are_isolated,
    profiles_update,
    names_are_held_by_one_member_per_team,
    hand_offs_keep_the_member_they_named_when_declared,
    schema_v1_duplicates_are_settled_on_start,
    writes_wake_the_hub,
    reopening_keeps_data_and_migrations_are_idempotent,
);

fn profile(name: &str) -> Profile {
    Profile {
        display_name: name.to_owned(),
        handles: Handles {
            github: Some(name.to_lowercase()),
            ..Handles::default()
        },
        timezone: "Europe/Berlin".into(),
        working_hours: None,
    }
}

fn decl(headline: &str) -> Declaration {
    Declaration::new(Status::Online, headline, "Europe/Berlin")
}

fn item(key: &str, to: Option<&str>) -> WorkItem {
    WorkItem {
        url: format!("https://github.com/o/r/pull/{key}"),
        canonical_ref: format!("github.com/o/r/pull/{key}"),
        title: String::new(),
        note: String::new(),
        state: ItemState::NeedsReview,
        handoff_to: to.map(str::to_owned),
    }
}

/// Joins `names` to a new team; returns (team id, [(member id, token)]).
async fn seed(store: &dyn Storage, team: &str, names: &[&str]) -> (String, Vec<(String, String)>) {
    let (team_id, codes) = team_with_invites(store, team, names.len()).await;
    let mut out = Vec::new();
    for (code, name) in codes.iter().zip(names) {
        let tok = token::new_token();
        let outcome = store
            .redeem_invite(
                &token::hash(code),
                &profile(name),
                &token::hash(&tok),
                ts(1000),
            )
            .await
            .unwrap();
        let JoinOutcome::Joined { member, .. } = outcome else {
            panic!("join failed: {outcome:?}")
        };
        out.push((member.member.id, tok));
    }
    (team_id, out)
}

async fn write(
    store: &dyn Storage,
    team: &str,
    member: &str,
    expected: u64,
    d: Option<&Declaration>,
) -> WriteOutcome {
    store
        .write_state(team, member, expected, d, ts(5000))
        .await
        .unwrap()
}

async fn teams_have_unique_names(db: TestDb) {
    let s = db.store.as_ref();
    let a = s.create_team("acme", ts(1)).await.unwrap();
    assert!(a.id.starts_with("t_"));
    assert!(matches!(
        s.create_team("acme", ts(2)).await,
        Err(StorageError::TeamExists(_))
    ));
    assert_eq!(s.team_by_name("acme").await.unwrap(), Some(a.clone()));
    assert_eq!(s.team(&a.id).await.unwrap(), Some(a));
    assert_eq!(s.team_by_name("nope").await.unwrap(), None);
    assert_eq!(s.team_cursor("t_unknown").await.unwrap(), 0);
}

async fn invites_work_once_and_expire(db: TestDb) {
    let s = db.store.as_ref();
    let team = s.create_team("acme", ts(1)).await.unwrap();
    s.create_invite(&team.id, "h-live", Invitee::Admin, ts(10_000), ts(1))
        .await
        .unwrap();
    s.create_invite(&team.id, "h-old", Invitee::Member, ts(500), ts(1))
        .await
        .unwrap();
    let joined = s
        .redeem_invite("h-live", &profile("Ann"), "tok-ann", ts(1000))
        .await
        .unwrap();
    let JoinOutcome::Joined { team: t, member } = joined else {
        panic!("{joined:?}")
    };
    assert_eq!(t, team);
    assert!(member.is_admin, "the invite's admin flag carries over");
    assert!(member.member.id.starts_with("m_"));
    for (code, want) in [
        ("h-live", JoinOutcome::UsedInvite),
        ("h-old", JoinOutcome::ExpiredInvite),
        ("h-none", JoinOutcome::UnknownInvite),
    ] {
        let got = s
            .redeem_invite(code, &profile("Eve"), &format!("tok-{code}"), ts(1000))
            .await
            .unwrap();
        assert_eq!(got, want, "{code}");
    }
    assert_eq!(
        s.members(&team.id).await.unwrap().len(),
        1,
        "failed joins add nobody"
    );
}

async fn concurrent_joins_use_an_invite_once(db: TestDb) {
    let s = db.store.clone();
    let team = s.create_team("acme", ts(1)).await.unwrap();
    s.create_invite(&team.id, "h-once", Invitee::Member, ts(i64::MAX), ts(1))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.redeem_invite("h-once", &profile("Racer"), &format!("tok-{i}"), ts(1000))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut joined = 0;
    for t in tasks {
        match t.await.unwrap() {
            JoinOutcome::Joined { .. } => joined += 1,
            other => assert_eq!(other, JoinOutcome::UsedInvite),
        }
    }
    assert_eq!(joined, 1);
    assert_eq!(s.members(&team.id).await.unwrap().len(), 1);
}

async fn tokens_revoke(db: TestDb) {
    let s = db.store.as_ref();
    let (team, members) = seed(s, "acme", &["Ann", "Bob"]).await;
    let (ann, ann_tok) = &members[0];
    let p = s.principal(&token::hash(ann_tok)).await.unwrap().unwrap();
    assert_eq!((&p.member_id, &p.team_id), (ann, &team));
    assert_eq!(s.principal("unknown").await.unwrap(), None);
    assert!(s.revoke_token(&token::hash(ann_tok), ts(2)).await.unwrap());
    assert!(!s.revoke_token(&token::hash(ann_tok), ts(3)).await.unwrap());
    assert_eq!(s.principal(&token::hash(ann_tok)).await.unwrap(), None);
    let (bob, bob_tok) = &members[1];
    assert_eq!(s.revoke_member_tokens(bob, ts(4)).await.unwrap(), 1);
    assert_eq!(s.principal(&token::hash(bob_tok)).await.unwrap(), None);
}

async fn versions_rise_and_stale_writes_conflict(db: TestDb) {
    let s = db.store.as_ref();
    let (team, members) = seed(s, "acme", &["Ann"]).await;
    let ann = &members[0].0;
    let fresh = s.state(&team, ann).await.unwrap();
    assert_eq!((fresh.version, fresh.state.is_none()), (0, true));

    let WriteOutcome::Written(v1) = write(s, &team, ann, 0, Some(&decl("one"))).await else {
        panic!()
    };
    assert_eq!(v1.version, 1);
    let declared = v1.state.as_ref().unwrap();
    assert_eq!((declared.version, declared.declared_at), (1, ts(5000)));
    assert_eq!(declared.declaration, decl("one"));

    // A second "first write" must not overwrite: it gets the current state back.
    let WriteOutcome::Conflict(current) = write(s, &team, ann, 0, Some(&decl("two"))).await else {
        panic!()
    };
    assert_eq!(current, v1);

    assert!(
        matches!(write(s, &team, ann, 1, Some(&decl("two"))).await, WriteOutcome::Written(ref m) if m.version == 2)
    );
    let WriteOutcome::Written(cleared) = write(s, &team, ann, 2, None).await else {
        panic!()
    };
    assert_eq!((cleared.version, cleared.state), (3, None));
    // Clearing raised the version: a writer still holding version 2 cannot resurrect.
    assert!(
        matches!(write(s, &team, ann, 2, Some(&decl("old"))).await, WriteOutcome::Conflict(ref m) if m.version == 3 && m.state.is_none())
    );
    assert!(
        matches!(write(s, &team, ann, 3, Some(&decl("back"))).await, WriteOutcome::Written(ref m) if m.version == 4)
    );
    assert_eq!(s.state(&team, ann).await.unwrap().version, 4);
    assert_eq!(
        write(s, &team, "m_nobody", 0, Some(&decl("x"))).await,
        WriteOutcome::NoSuchMember
    );
}

async fn concurrent_writers_on_one_version_one_wins(db: TestDb) {
    let (team, members) = seed(db.store.as_ref(), "acme", &["Ann"]).await;
    let ann = members[0].0.clone();
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (s, team, ann) = (db.store.clone(), team.clone(), ann.clone());
            tokio::spawn(async move {
                s.write_state(&team, &ann, 0, Some(&decl(&format!("w{i}"))), ts(5000))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), WriteOutcome::Written(_)) {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(db.store.state(&team, &ann).await.unwrap().version, 1);
}

async fn team_states_hold_current_declarations(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob", "Cid"]).await;
    let (c0, states) = s.team_states(&team).await.unwrap();
    assert!(states.is_empty());
    write(s, &team, &m[0].0, 0, Some(&decl("ann"))).await;
    write(s, &team, &m[1].0, 0, Some(&decl("bob"))).await;
    write(s, &team, &m[1].0, 1, None).await;
    let (c1, states) = s.team_states(&team).await.unwrap();
    assert_eq!(c1, c0 + 3, "one cursor step per write");
    assert_eq!(c1, s.team_cursor(&team).await.unwrap());
    assert_eq!(
        states.len(),
        1,
        "cleared and never-declared members are left out"
    );
    assert_eq!(states[0].member_id, m[0].0);
    assert_eq!(
        states[0].state.as_ref().unwrap().declaration.headline,
        "ann"
    );
}

async fn changes_report_exactly_what_moved_after_a_cursor(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob"]).await;
    let start = s.changes(&team, 0).await.unwrap();
    assert_eq!(start.members.len(), 2, "joins are changes");
    assert!(start.states.is_empty());
    let c = start.cursor;
    assert!(s.changes(&team, c).await.unwrap().states.is_empty());

    write(s, &team, &m[0].0, 0, Some(&decl("ann"))).await;
    let after_ann = s.changes(&team, c).await.unwrap();
    assert_eq!(after_ann.cursor, c + 1);
    assert_eq!(after_ann.states.len(), 1);
    assert!(after_ann.members.is_empty());

    write(s, &team, &m[1].0, 0, Some(&decl("bob"))).await;
    write(s, &team, &m[0].0, 1, None).await;
    let later = s.changes(&team, c + 1).await.unwrap();
    assert_eq!(later.cursor, c + 3);
    let ids: Vec<_> = later
        .states
        .iter()
        .map(|st| st.member_id.as_str())
        .collect();
    assert_eq!(ids, [m[1].0.as_str(), m[0].0.as_str()], "in write order");
    assert!(
        later.states[1].state.is_none(),
        "a clear is reported as state: null"
    );
    assert!(s.changes(&team, c + 3).await.unwrap().states.is_empty());
}

async fn removed_members_lose_access_and_state(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob"]).await;
    write(s, &team, &m[0].0, 0, Some(&decl("ann"))).await;
    let c = s.team_cursor(&team).await.unwrap();
    assert!(s.remove_member(&team, &m[0].0, ts(9)).await.unwrap());
    assert!(!s.remove_member(&team, &m[0].0, ts(9)).await.unwrap());
    assert_eq!(s.principal(&token::hash(&m[0].1)).await.unwrap(), None);
    assert_eq!(s.member(&team, &m[0].0).await.unwrap(), None);
    assert_eq!(s.members(&team).await.unwrap().len(), 1);
    assert!(s.team_states(&team).await.unwrap().1.is_empty());
    let ch = s.changes(&team, c).await.unwrap();
    assert_eq!(ch.removed_members, vec![m[0].0.clone()]);
    assert_eq!(ch.states.len(), 1);
    assert!(ch.states[0].state.is_none());
}

async fn acks_follow_their_hand_off(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob"]).await;
    let (ann, bob) = (&m[0].0, &m[1].0);
    let mut d = decl("handing off");
    d.items = vec![item("1", Some("bob")), item("2", None)];
    d.cover = Some("Bob".into());
    write(s, &team, ann, 0, Some(&d)).await;
    let key = "github.com/o/r/pull/1";

    let before = s.team_cursor(&team).await.unwrap();
    let AckOutcome::Recorded(st) = s.ack(&team, ann, 1, Some(key), bob, ts(7)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(
        st.version, 1,
        "an ack does not change the declarer's version"
    );
    assert_eq!(st.acks.len(), 1);
    assert_eq!(
        (
            st.acks[0].item.as_deref(),
            st.acks[0].by.as_str(),
            st.acks[0].at
        ),
        (Some(key), bob.as_str(), ts(7))
    );
    let ch = s.changes(&team, before).await.unwrap();
    assert_eq!(ch.states.len(), 1, "the ack reaches change feeds");
    assert_eq!(ch.states[0].acks.len(), 1);

    // Acknowledging again keeps the first time; the cover can be acknowledged too.
    s.ack(&team, ann, 1, Some(key), bob, ts(8)).await.unwrap();
    s.ack(&team, ann, 1, None, bob, ts(9)).await.unwrap();
    let st = s.state(&team, ann).await.unwrap();
    assert_eq!(st.acks.len(), 2);
    assert_eq!(st.acks[0].at, ts(7));
    // Stale version, unknown item, item without hand-off: refused.
    for (version, item) in [
        (2, Some(key)),
        (1, Some("nope")),
        (1, Some("github.com/o/r/pull/2")),
    ] {
        assert_eq!(
            s.ack(&team, ann, version, item, bob, ts(10)).await.unwrap(),
            AckOutcome::StateChanged,
            "{version} {item:?}"
        );
    }

    // Re-declaring with the same hand-offs keeps the acks; handing item 1 to someone else
    // drops its ack; clearing drops all.
    write(s, &team, ann, 1, Some(&d)).await;
    assert_eq!(s.state(&team, ann).await.unwrap().acks.len(), 2);
    d.items[0].handoff_to = Some("cid".into());
    write(s, &team, ann, 2, Some(&d)).await;
    let st = s.state(&team, ann).await.unwrap();
    assert_eq!(st.acks.len(), 1);
    assert_eq!(st.acks[0].item, None);
    write(s, &team, ann, 3, None).await;
    d.items[0].handoff_to = Some("bob".into());
    write(s, &team, ann, 4, Some(&d)).await;
    assert!(s.state(&team, ann).await.unwrap().acks.is_empty());
}

async fn teams_are_isolated(db: TestDb) {
    let s = db.store.as_ref();
    let (a, am) = seed(s, "alpha", &["Ann"]).await;
    let (b, bm) = seed(s, "beta", &["Bob"]).await;
    write(s, &a, &am[0].0, 0, Some(&decl("secret plans"))).await;
    assert_eq!(s.member(&b, &am[0].0).await.unwrap(), None);
    assert_eq!(s.state(&b, &am[0].0).await.unwrap().version, 0);
    assert_eq!(
        write(s, &b, &am[0].0, 1, Some(&decl("x"))).await,
        WriteOutcome::NoSuchMember
    );
    assert!(s.team_states(&b).await.unwrap().1.is_empty());
    let ch = s.changes(&b, 0).await.unwrap();
    assert!(ch.states.is_empty());
    assert_eq!(ch.members.len(), 1);
    assert_eq!(ch.members[0].id, bm[0].0);
    assert_eq!(
        s.ack(&b, &am[0].0, 1, None, &bm[0].0, ts(1)).await.unwrap(),
        AckOutcome::StateChanged
    );
    assert!(!s.remove_member(&b, &am[0].0, ts(1)).await.unwrap());
    assert_eq!(
        s.update_profile(&b, &am[0].0, &profile("X")).await.unwrap(),
        ProfileOutcome::NoSuchMember
    );
    assert_eq!(s.members(&a).await.unwrap().len(), 1);
}

async fn profiles_update(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann"]).await;
    let c = s.team_cursor(&team).await.unwrap();
    let mut p = profile("Ann Lee");
    p.timezone = "Asia/Kolkata".into();
    p.working_hours = Some(Default::default());
    let ProfileOutcome::Updated(updated) = s.update_profile(&team, &m[0].0, &p).await.unwrap()
    else {
        panic!("not updated")
    };
    let updated = *updated;
    assert_eq!(updated.member.display_name, "Ann Lee");
    assert_eq!(updated.member.working_hours, Some(Default::default()));
    assert_eq!(s.member(&team, &m[0].0).await.unwrap().unwrap(), updated);
    let ch = s.changes(&team, c).await.unwrap();
    assert_eq!(ch.members, vec![updated.member]);
}

/// The fields a profile change was refused for, or `[]` when it was made.
async fn taken(s: &dyn Storage, team: &str, member: &str, p: &Profile) -> Vec<String> {
    match s.update_profile(team, member, p).await.unwrap() {
        ProfileOutcome::Updated(_) => vec![],
        ProfileOutcome::NameTaken(fields) => fields.into_iter().map(|f| f.field).collect(),
        ProfileOutcome::NoSuchMember => panic!("no such member"),
    }
}

async fn names_are_held_by_one_member_per_team(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob"]).await;
    let bob = &m[1].0;
    let mut p = profile("Bob");
    p.handles.github = Some("ANN".into());
    p.handles.jira = Some(" @ann ".into());
    assert_eq!(
        taken(s, &team, bob, &p).await,
        ["handles.github", "handles.jira"]
    );
    p = profile("ann");
    p.handles.github = Some("bob".into());
    assert_eq!(taken(s, &team, bob, &p).await, ["display_name"]);
    // A refused change wrote nothing; one's own names may repeat across fields.
    assert_eq!(
        s.member(&team, bob)
            .await
            .unwrap()
            .unwrap()
            .member
            .display_name,
        "Bob"
    );
    p = profile("Bob");
    p.handles.gitlab = Some("bob".into());
    assert_eq!(taken(s, &team, bob, &p).await, Vec::<String>::new());
    // Joining with a taken name is refused and leaves the invite for another try.
    s.create_invite(&team, "h-join", Invitee::Member, ts(10_000), ts(1))
        .await
        .unwrap();
    let joined = s
        .redeem_invite("h-join", &profile("BOB"), "tok-x", ts(2))
        .await
        .unwrap();
    let JoinOutcome::NameTaken(fields) = joined else {
        panic!("{joined:?}")
    };
    assert_eq!(fields[0].field, "display_name");
    let joined = s
        .redeem_invite("h-join", &profile("Cy"), "tok-x", ts(2))
        .await
        .unwrap();
    assert!(matches!(joined, JoinOutcome::Joined { .. }), "{joined:?}");
    // Removal frees a member's names; another team never shared them.
    assert!(s.remove_member(&team, bob, ts(3)).await.unwrap());
    assert_eq!(
        taken(s, &team, &m[0].0, &profile("Bob")).await,
        Vec::<String>::new()
    );
    seed(s, "beta", &["Bob", "Ann"]).await;
}

async fn hand_offs_keep_the_member_they_named_when_declared(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann", "Bob", "Cy"]).await;
    let (ann, bob, cy) = (&m[0].0, &m[1].0, &m[2].0);
    let mut d = decl("handing off");
    d.items = vec![item("1", Some("@BOB")), item("2", Some("nobody"))];
    d.cover = Some("cy".into());
    let WriteOutcome::Written(st) = write(s, &team, ann, 0, Some(&d)).await else {
        panic!()
    };
    let to = |st: &standin::api::MemberState, item| st.recipient(item).map(str::to_owned);
    assert_eq!(to(&st, Some("github.com/o/r/pull/1")), Some(bob.clone()));
    assert_eq!(to(&st, Some("github.com/o/r/pull/2")), None);
    assert_eq!(to(&st, None), Some(cy.clone()));
    // Bob gives up "bob" and Cy takes it: the hand-off stays Bob's.
    let mut p = profile("Robert");
    p.handles.github = Some("robert".into());
    assert!(taken(s, &team, bob, &p).await.is_empty());
    p = profile("Cy");
    p.handles.gitlab = Some("bob".into());
    assert!(taken(s, &team, cy, &p).await.is_empty());
    let key = Some("github.com/o/r/pull/1");
    assert_eq!(
        s.ack(&team, ann, 1, key, cy, ts(6)).await.unwrap(),
        AckOutcome::StateChanged,
        "only the resolved member may acknowledge"
    );
    assert!(matches!(
        s.ack(&team, ann, 1, key, bob, ts(6)).await.unwrap(),
        AckOutcome::Recorded(_)
    ));
    let st = s.state(&team, ann).await.unwrap();
    assert_eq!(to(&st, key), Some(bob.clone()));
    // Declaring again resolves again: "@BOB" is Cy's now, and Bob's acknowledgement goes.
    let WriteOutcome::Written(st) = write(s, &team, ann, 1, Some(&d)).await else {
        panic!()
    };
    assert_eq!(to(&st, key), Some(cy.clone()));
    assert!(st.acks.is_empty());
}

async fn schema_v1_duplicates_are_settled_on_start(db: TestDb) {
    // Schema v1 let two members hold one name: build such a team under the v2 store by
    // writing the rows v1 would have (no claims, no resolved hand-offs).
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann"]).await;
    let ann = &m[0].0;
    let rows = [
        (
            "m_bob",
            "Bob",
            r#"{"github":"bob","jira":"Bob Stone"}"#,
            2000,
        ),
        // Later than Bob: his GitHub login (another case) and Jira name are cleared, his
        // display name Bob stays, unclaimed; his GitLab login is his.
        (
            "m_mal",
            "bob",
            r#"{"github":"BOB","jira":"bob stone","gitlab":"mal"}"#,
            3000,
        ),
    ];
    let mut d = decl("from v1");
    d.items = vec![item("1", Some("Bob Stone"))];
    let body = serde_json::to_string(&d).unwrap();
    db.raw(&[
        &format!("DELETE FROM claims WHERE member_id = '{ann}'"),
        &format!(
            "INSERT INTO members (id, team_id, display_name, handles, timezone, is_admin, seq, \
             created_at) VALUES ('{}', '{team}', '{}', '{}', 'UTC', {}, 1, {})",
            rows[0].0, rows[0].1, rows[0].2, "false", rows[0].3
        ),
        &format!(
            "INSERT INTO members (id, team_id, display_name, handles, timezone, is_admin, seq, \
             created_at) VALUES ('{}', '{team}', '{}', '{}', 'UTC', {}, 1, {})",
            rows[1].0, rows[1].1, rows[1].2, "false", rows[1].3
        ),
        &format!(
            "INSERT INTO states (member_id, team_id, version, body, declared_at, seq) \
             VALUES ('{ann}', '{team}', 1, '{body}', 4000, 1)"
        ),
        &format!(
            "INSERT INTO acks (declarer_id, item_key, by_id, team_id, at) VALUES \
             ('{ann}', 'github.com/o/r/pull/1', 'm_mal', '{team}', 4500)"
        ),
    ])
    .await;
    let before = s.team_cursor(&team).await.unwrap();

    // Starting the server (another store on the same database) settles them, once.
    let again = db.another_replica().await;
    db.another_replica().await;
    let members = again.members(&team).await.unwrap();
    let handles: Vec<_> = members.iter().map(|r| &r.member.handles).collect();
    assert_eq!(handles[1].github.as_deref(), Some("bob"));
    assert_eq!(handles[2].github, None);
    assert_eq!(handles[2].jira, None);
    assert_eq!(handles[2].gitlab.as_deref(), Some("mal"));
    assert_eq!(members[2].member.display_name, "bob");
    let st = again.state(&team, ann).await.unwrap();
    assert_eq!(st.recipient(Some("github.com/o/r/pull/1")), Some("m_bob"));
    assert!(
        st.acks.is_empty(),
        "Mal's acknowledgement of Bob's hand-off is gone"
    );
    // Clients hear of it: the cleared profile and the resolved state are in the change feed.
    let ch = again.changes(&team, before).await.unwrap();
    assert!(ch.members.iter().any(|m| m.id == "m_mal"));
    assert_eq!(ch.states.len(), 1);
    // Mal's display name holds no claim: Bob keeps it; Mal must pick another to change.
    let mut p = profile("bob");
    p.handles.github = None;
    assert_eq!(
        taken(again.as_ref(), &team, "m_mal", &p).await,
        ["display_name"]
    );
    assert!(taken(again.as_ref(), &team, "m_mal", &profile("Mal"))
        .await
        .is_empty());
}

async fn writes_wake_the_hub(db: TestDb) {
    let s = db.store.as_ref();
    let (team, m) = seed(s, "acme", &["Ann"]).await;
    let mut rx = s.hub().subscribe(&team);
    rx.borrow_and_update();
    write(s, &team, &m[0].0, 0, Some(&decl("wake"))).await;
    tokio::time::timeout(std::time::Duration::from_secs(5), rx.changed())
        .await
        .unwrap()
        .unwrap();
    // Copy the value out: a watch borrow held across an await blocks the sender (the LISTEN
    // task on PostgreSQL) and can stall the runtime.
    let seen = *rx.borrow();
    assert_eq!(seen, s.team_cursor(&team).await.unwrap());
}

async fn reopening_keeps_data_and_migrations_are_idempotent(db: TestDb) {
    let (team, m) = seed(db.store.as_ref(), "acme", &["Ann"]).await;
    write(db.store.as_ref(), &team, &m[0].0, 0, Some(&decl("kept"))).await;
    let again = db.another_replica().await;
    let st = again.state(&team, &m[0].0).await.unwrap();
    assert_eq!(st.state.unwrap().declaration.headline, "kept");
    assert!(again
        .principal(&token::hash(&m[0].1))
        .await
        .unwrap()
        .is_some());
}
