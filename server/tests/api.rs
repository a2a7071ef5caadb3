//! The HTTP API end to end through `app()` (no socket), on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{call, call_raw, declaration, team_of, test_app, TestDb};
use serde_json::{json, Value};
use standin::limits;
use standin_server::storage::Invitee;
use standin_server::{app, token, AppState, Options};
use std::io::Read;
use std::time::{Duration, Instant};

for_each_backend!(
    join_then_me_and_roster,
    declare_and_clear_with_if_match,
    team_states_answer_304_while_unchanged_and_gzip_on_request,
    long_poll_answers_on_change_or_after_wait,
    hand_offs_are_acknowledged_by_their_recipient,
    hand_offs_name_members_by_id_display_name_or_handle,
    a_taken_name_is_409_naming_the_field_on_join_and_patch,
    a_member_claiming_bobs_jira_name_cannot_ack_his_hand_off,
    a_rename_after_declaring_does_not_redirect_a_hand_off,
    a_hand_off_to_someone_not_yet_in_the_team_reaches_them_when_they_claim_the_name,
    a_member_invite_signs_a_new_browser_in_as_the_same_member,
    teams_cannot_see_or_touch_each_other,
    revoked_and_removed_tokens_get_401,
    profile_changes_reach_the_roster,
    hostile_text_is_stored_verbatim_and_harmless,
    clients_hanging_up_mid_request_break_nothing,
    has_teams_is_false_until_the_first_team,
);

/// What `serve`'s start-up warning asks of the database.
async fn has_teams_is_false_until_the_first_team(db: TestDb) {
    assert!(!db.store.has_teams().await.unwrap());
    db.store.create_team("acme", common::ts(1)).await.unwrap();
    assert!(db.store.has_teams().await.unwrap());
}

async fn join_then_me_and_roster(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    assert!(m[0].token.starts_with("stn_") && m[0].token.len() >= 4 + 32);
    let (status, me) = call(&app, "GET", "/v1/me", Some(&m[0].token), &[], None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["member"]["display_name"], "Ann");
    assert_eq!(me["member"]["handles"]["github"], "ann");
    assert_eq!(me["team"]["name"], "acme");
    assert_eq!(me["is_admin"], false);
    assert_eq!(me["state"]["version"], 0);
    assert_eq!(me["state"]["state"], Value::Null);
    let (status, roster) = call(&app, "GET", "/v1/team", Some(&m[1].token), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = roster["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ann", "Bob"]);
}

async fn declare_and_clear_with_if_match(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann"]).await;
    let tok = Some(m[0].token.as_str());
    let body = || Some(declaration("Reviewing PRs"));
    let (status, err) = call(&app, "PUT", "/v1/me/state", tok, &[], body()).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (
            StatusCode::PRECONDITION_REQUIRED,
            Some("precondition_required")
        )
    );

    let (status, headers, bytes) = call_raw(
        &app,
        "PUT",
        "/v1/me/state",
        tok,
        &[("if-match", "0")],
        Some((
            declaration("Reviewing PRs").to_string().into_bytes(),
            "application/json",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"1\"");
    let written: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(written["version"], 1);
    assert_eq!(written["state"]["declaration"]["headline"], "Reviewing PRs");
    assert!(written["state"]["declared_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    // Another browser still thinking "no state yet": 412 with the server's copy.
    let (status, conflict) = call(
        &app,
        "PUT",
        "/v1/me/state",
        tok,
        &[("if-match", "0")],
        Some(declaration("Other")),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(conflict["error"], "version_conflict");
    assert_eq!(conflict["current"]["version"], 1);
    assert_eq!(
        conflict["current"]["state"]["declaration"]["headline"],
        "Reviewing PRs"
    );

    let (status, v2) = call(
        &app,
        "PUT",
        "/v1/me/state",
        tok,
        &[("if-match", "\"1\"")],
        Some(declaration("Later")),
    )
    .await;
    assert_eq!((status, v2["version"].as_u64()), (StatusCode::OK, Some(2)));
    let (status, _) = call(&app, "DELETE", "/v1/me/state", tok, &[], None).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, _) = call(
        &app,
        "DELETE",
        "/v1/me/state",
        tok,
        &[("if-match", "1")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, cleared) = call(
        &app,
        "DELETE",
        "/v1/me/state",
        tok,
        &[("if-match", "2")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (cleared["version"].as_u64(), &cleared["state"]),
        (Some(3), &Value::Null)
    );
    let (_, me) = call(&app, "GET", "/v1/me", tok, &[], None).await;
    assert_eq!(me["state"]["version"], 3);
}

async fn team_states_answer_304_while_unchanged_and_gzip_on_request(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let tok = Some(m[0].token.as_str());
    call(
        &app,
        "PUT",
        "/v1/me/state",
        tok,
        &[("if-match", "0")],
        Some(declaration("hi")),
    )
    .await;
    let (status, headers, bytes) = call_raw(&app, "GET", "/v1/team/states", tok, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["states"].as_array().unwrap().len(), 1);
    assert_eq!(body["team"]["name"], "acme");
    assert_eq!(
        etag,
        format!(
            "W/\"{}:{}\"",
            m[0].team_id,
            body["cursor"].as_u64().unwrap()
        )
    );

    let (status, headers, bytes) = call_raw(
        &app,
        "GET",
        "/v1/team/states",
        Some(&m[1].token),
        &[("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(bytes.is_empty());
    assert_eq!(headers["etag"].to_str().unwrap(), etag);

    let (_, gz_headers, gz) = call_raw(
        &app,
        "GET",
        "/v1/team/states",
        tok,
        &[("accept-encoding", "gzip")],
        None,
    )
    .await;
    assert_eq!(gz_headers["content-encoding"], "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&unzipped).unwrap(), body);

    // Bob declares: the old ETag no longer matches.
    call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&m[1].token),
        &[("if-match", "0")],
        Some(declaration("yo")),
    )
    .await;
    let (status, headers, bytes) = call_raw(
        &app,
        "GET",
        "/v1/team/states",
        tok,
        &[("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers["etag"].to_str().unwrap(), etag);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["states"].as_array().unwrap().len(), 2);
}

async fn long_poll_answers_on_change_or_after_wait(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let (_, first) = call(
        &app,
        "GET",
        "/v1/team/changes",
        Some(&m[1].token),
        &[],
        None,
    )
    .await;
    let cursor = first["cursor"].as_u64().unwrap();
    assert_eq!(first["members"].as_array().unwrap().len(), 2);

    // Nothing new: answers after `wait` with no changes and the same cursor.
    let t = Instant::now();
    let path = format!("/v1/team/changes?after={cursor}&wait=1");
    let (status, idle) = call(&app, "GET", &path, Some(&m[1].token), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(idle["cursor"].as_u64(), Some(cursor));
    assert!(idle["states"].as_array().unwrap().is_empty());

    // A write while Bob waits wakes him at once.
    let waiting = {
        let (app, tok) = (app.clone(), m[1].token.clone());
        let path = format!("/v1/team/changes?after={cursor}&wait=20");
        tokio::spawn(async move {
            let t = Instant::now();
            let got = call(&app, "GET", &path, Some(&tok), &[], None).await;
            (got, t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&m[0].token),
        &[("if-match", "0")],
        Some(declaration("now")),
    )
    .await;
    let ((status, changes), took) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(3), "woke after {took:?}");
    assert_eq!(changes["cursor"].as_u64(), Some(cursor + 1));
    assert_eq!(changes["states"][0]["member_id"], m[0].member_id.as_str());
    assert_eq!(changes["reset"], false);

    // Already-newer changes are answered without waiting.
    let t = Instant::now();
    let path = format!("/v1/team/changes?after={cursor}&wait=20");
    call(&app, "GET", &path, Some(&m[1].token), &[], None).await;
    assert!(t.elapsed() < Duration::from_secs(2));

    // A cursor from the future (restored database): everything, flagged as a reset.
    let (_, reset) = call(
        &app,
        "GET",
        "/v1/team/changes?after=999999&wait=20",
        Some(&m[1].token),
        &[],
        None,
    )
    .await;
    assert_eq!(reset["reset"], true);
    assert_eq!(reset["states"].as_array().unwrap().len(), 1);
}

async fn hand_offs_are_acknowledged_by_their_recipient(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Cid"]).await;
    let mut d = declaration("off for the day");
    d["items"] = json!([{
        "url": "https://github.com/o/r/pull/7",
        "canonical_ref": "github.com/o/r/pull/7",
        "state": "needs_review",
        "handoff_to": "@bob"
    }]);
    d["cover"] = json!("Cid");
    call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&m[0].token),
        &[("if-match", "0")],
        Some(d),
    )
    .await;
    let ack = |item: Option<&str>| {
        let mut body = json!({"member_id": m[0].member_id});
        if let Some(item) = item {
            body["item"] = json!(item);
        }
        Some(body)
    };
    let (status, err) = call(
        &app,
        "POST",
        "/v1/team/acks",
        Some(&m[2].token),
        &[],
        ack(Some("github.com/o/r/pull/7")),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = call(
        &app,
        "POST",
        "/v1/team/acks",
        Some(&m[1].token),
        &[],
        ack(Some("github.com/o/r/pull/8")),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        "POST",
        "/v1/team/acks",
        Some(&m[1].token),
        &[],
        ack(None),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the cover is Cid, not Bob");

    let (status, st) = call(
        &app,
        "POST",
        "/v1/team/acks",
        Some(&m[1].token),
        &[],
        ack(Some("github.com/o/r/pull/7")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{st}");
    assert_eq!(st["acks"][0]["by"], m[1].member_id.as_str());
    let (status, _) = call(
        &app,
        "POST",
        "/v1/team/acks",
        Some(&m[2].token),
        &[],
        ack(None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The declarer sees "acknowledged by Bob" in the team's states.
    let (_, states) = call(&app, "GET", "/v1/team/states", Some(&m[0].token), &[], None).await;
    let acks = states["states"][0]["acks"].as_array().unwrap();
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0]["item"], "github.com/o/r/pull/7");
    assert!(acks[0]["at"].as_str().is_some());
    assert_eq!(
        states["states"][0]["version"], 1,
        "acks leave the declarer's version alone"
    );
}

/// What the popup sends (a member id) and what API clients may type (a display name or a
/// handle, any case, `@` optional) all name the member.
async fn hand_offs_name_members_by_id_display_name_or_handle(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Cid"]).await;
    let st = hand_off(&app, &m[0].token, &m[1].member_id, "@CID").await;
    assert_eq!(
        st["recipients"],
        json!([{"member": m[2].member_id}, {"item": "github.com/o/r/pull/7", "member": m[1].member_id}])
    );
}

/// PATCH /v1/me with `body` as `token`; status and answer.
async fn patch_me(app: &axum::Router, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, "PATCH", "/v1/me", Some(token), &[], Some(body)).await
}

/// The token `by` acknowledges `declarer`'s hand-off of `item` (`None`: the cover).
async fn ack_as(app: &axum::Router, by: &str, declarer: &str, item: Option<&str>) -> StatusCode {
    let mut body = json!({ "member_id": declarer });
    if let Some(item) = item {
        body["item"] = json!(item);
    }
    call(app, "POST", "/v1/team/acks", Some(by), &[], Some(body))
        .await
        .0
}

/// A declaration of PR 7 handed to `to`, with the cover to `cover`.
fn handed_off(to: &str, cover: &str) -> Value {
    let mut d = declaration("off for the day");
    d["items"] = json!([{
        "url": "https://github.com/o/r/pull/7",
        "canonical_ref": "github.com/o/r/pull/7",
        "state": "needs_review",
        "handoff_to": to
    }]);
    d["cover"] = json!(cover);
    d
}

/// Ann declares PR 7 handed to `to` and the cover to `cover`.
async fn hand_off(app: &axum::Router, ann: &str, to: &str, cover: &str) -> Value {
    let d = handed_off(to, cover);
    let (status, st) = call(
        app,
        "PUT",
        "/v1/me/state",
        Some(ann),
        &[("if-match", "0")],
        Some(d),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{st}");
    st
}

async fn a_hand_off_to_someone_not_yet_in_the_team_reaches_them_when_they_claim_the_name(
    db: TestDb,
) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let (ann, bob) = (&m[0], &m[1]);
    // Ann hands PR 7 to Dee, who has not joined yet, and the cover to "Robert", a name no one
    // goes by yet: the API refuses both, naming each field, and stores nothing.
    let d = handed_off("@dee", "Robert");
    let (status, refused) = call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&ann.token),
        &[("if-match", "0")],
        Some(d.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"], "unknown_member");
    assert_eq!(refused["field"], "cover");
    assert_eq!(refused["errors"][1]["field"], "items[0].handoff_to");
    assert_eq!(
        db.store
            .state(&ann.team_id, &ann.member_id)
            .await
            .unwrap()
            .version,
        0
    );
    // A declaration stored before the API refused unknown names keeps its pending hand-offs.
    let d: standin::model::Declaration = serde_json::from_value(d).unwrap();
    db.store
        .write_state(&ann.team_id, &ann.member_id, 0, Some(&d), common::ts(1))
        .await
        .unwrap();
    let recipients = |app: axum::Router, token: String| async move {
        let (_, states) = call(&app, "GET", "/v1/team/states", Some(&token), &[], None).await;
        states["states"][0]["recipients"].clone()
    };
    assert_eq!(
        recipients(app.clone(), bob.token.clone()).await,
        Value::Null
    );
    let item = Some("github.com/o/r/pull/7");
    assert_eq!(
        ack_as(&app, &bob.token, &ann.member_id, None).await,
        StatusCode::FORBIDDEN
    );

    // Bob takes the name "Robert": the cover is his from now on.
    let (status, body) = patch_me(&app, &bob.token, json!({"display_name": "Robert"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        recipients(app.clone(), bob.token.clone()).await,
        json!([{"member": bob.member_id}])
    );
    assert_eq!(
        ack_as(&app, &bob.token, &ann.member_id, None).await,
        StatusCode::OK
    );

    // Dee joins with the GitHub login the hand-off named: the PR is hers, the cover stays Bob's.
    let code = common::invite(db.store.as_ref(), &ann.team_id, Invitee::Member).await;
    let (status, dee) = call(
        &app,
        "POST",
        "/v1/join",
        None,
        &[],
        Some(
            json!({"invite": code, "display_name": "Dee", "handles": {"github": "dee"},
                    "timezone": "UTC"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{dee}");
    let dee_id = dee["member"]["id"].as_str().unwrap().to_owned();
    let got = recipients(app.clone(), bob.token.clone()).await;
    assert_eq!(
        got.as_array().map(Vec::len),
        Some(2),
        "the cover and the item: {got}"
    );
    assert!(got
        .as_array()
        .unwrap()
        .contains(&json!({"item": "github.com/o/r/pull/7", "member": dee_id})));
    assert!(got
        .as_array()
        .unwrap()
        .contains(&json!({"member": bob.member_id})));
    let dee_token = dee["token"].as_str().unwrap();
    assert_eq!(
        ack_as(&app, dee_token, &ann.member_id, item).await,
        StatusCode::OK
    );
    assert_eq!(
        ack_as(&app, dee_token, &ann.member_id, None).await,
        StatusCode::FORBIDDEN
    );
}

/// A lost laptop: its token is revoked, and a new browser joins with an invite for the same
/// member, under the same names (which no new member could take) and keeping the declaration.
async fn a_member_invite_signs_a_new_browser_in_as_the_same_member(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let (ann, bob) = (&m[0], &m[1]);
    hand_off(&app, &ann.token, "@bob", "Bob").await;
    assert!(db
        .store
        .revoke_token(&token::hash(&ann.token), standin_server::now())
        .await
        .unwrap());
    let invite = |invitee| common::invite(db.store.as_ref(), &ann.team_id, invitee);
    let join = |code: String| {
        let app = app.clone();
        async move {
            let body = json!({"invite": code, "display_name": "Ann", "handles": {"github": "ann"},
                              "timezone": "Asia/Tokyo"});
            call(&app, "POST", "/v1/join", None, &[], Some(body)).await
        }
    };
    // A plain invite would make a second Ann: refused, her names are held.
    let (status, body) = join(invite(Invitee::Member).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, joined) = join(invite(Invitee::Existing(ann.member_id.clone())).await).await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    assert_eq!(joined["member"]["id"], ann.member_id.as_str());
    assert_eq!(
        joined["member"]["timezone"], "Asia/Tokyo",
        "the new browser's profile"
    );
    let new_token = joined["token"].as_str().unwrap();
    let (status, me) = call(&app, "GET", "/v1/me", Some(new_token), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["state"]["version"], 1, "her declaration stays: {me}");
    let (status, _) = call(&app, "GET", "/v1/me", Some(&ann.token), &[], None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the lost laptop's token stays revoked"
    );
    let (_, roster) = call(&app, "GET", "/v1/team", Some(&bob.token), &[], None).await;
    assert_eq!(roster["members"].as_array().unwrap().len(), 2, "{roster}");

    // An invite for a member who was removed meanwhile admits no one.
    let code = invite(Invitee::Existing(bob.member_id.clone())).await;
    assert!(db
        .store
        .remove_member(&bob.team_id, &bob.member_id, standin_server::now())
        .await
        .unwrap());
    let (status, body) = join(code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::GONE, Some("member_removed")),
        "{body}"
    );
}

async fn a_taken_name_is_409_naming_the_field_on_join_and_patch(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let conflict = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], "name_taken");
        body["field"].as_str().unwrap().to_owned()
    };
    // Another case, spacing or a leading @ is the same name.
    let (status, body) = patch_me(&app, &m[1].token, json!({"handles": {"github": "ANN"}})).await;
    assert_eq!(conflict((status, body)), "handles.github");
    let body = json!({"display_name": " ann ", "handles": {"linear": "@Ann"}});
    let (status, body) = patch_me(&app, &m[1].token, body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["field"], "display_name");
    assert_eq!(body["errors"][1]["field"], "handles.linear", "{body}");
    // Jira names are claimed like the rest, display names and handles exclude each other.
    let (status, _) = patch_me(
        &app,
        &m[0].token,
        json!({"handles": {"github": "ann", "jira": "Ann Lee"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) =
        patch_me(&app, &m[1].token, json!({"handles": {"jira": "ann  LEE"}})).await;
    assert_eq!(conflict((status, body)), "handles.jira");
    let (status, body) = patch_me(&app, &m[1].token, json!({"display_name": "Ann Lee"})).await;
    assert_eq!(conflict((status, body)), "display_name");
    // Nothing was written; Bob's own names stay his to keep or combine.
    let (_, me) = call(&app, "GET", "/v1/me", Some(&m[1].token), &[], None).await;
    assert_eq!(me["member"]["display_name"], "Bob");
    let (status, _) = patch_me(
        &app,
        &m[1].token,
        json!({"display_name": "bob", "handles": {"github": "bob", "gitlab": "BOB"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Joining with a taken name is 409 too, and leaves the invite usable.
    let code = common::invite(db.store.as_ref(), &m[0].team_id, Invitee::Member).await;
    let join = |name: &str, github: &str| {
        Some(
            json!({"invite": code, "display_name": name, "handles": {"github": github},
                    "timezone": "UTC"}),
        )
    };
    let answer = call(&app, "POST", "/v1/join", None, &[], join("Mal", "Bob")).await;
    assert_eq!(conflict(answer), "handles.github");
    let answer = call(&app, "POST", "/v1/join", None, &[], join("ANN", "mal")).await;
    assert_eq!(conflict(answer), "display_name");
    let (status, body) = call(&app, "POST", "/v1/join", None, &[], join("Mal", "mal")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Another team may use the same names.
    let other = team_of(&app, db.store.as_ref(), "beta", &["Ann"]).await;
    assert_eq!(other.len(), 1);
}

async fn a_member_claiming_bobs_jira_name_cannot_ack_his_hand_off(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Mal"]).await;
    let (ann, bob, mal) = (&m[0], &m[1], &m[2]);
    let (status, _) = patch_me(&app, &bob.token, json!({"handles": {"jira": "Bob Stone"}})).await;
    assert_eq!(status, StatusCode::OK);
    let st = hand_off(&app, &ann.token, "bob stone", "BOB STONE").await;
    assert_eq!(
        st["recipients"],
        json!([{"member": bob.member_id}, {"item": "github.com/o/r/pull/7", "member": bob.member_id}])
    );
    // Mal cannot take Bob's Jira name, in any spelling, nor as her display name.
    for body in [
        json!({"handles": {"jira": "bob stone"}}),
        json!({"display_name": "BOB  STONE"}),
    ] {
        let (status, _) = patch_me(&app, &mal.token, body).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    // The same name on another tracker is hers to hold (logins are not ours to refuse); it
    // still hands her nothing that was resolved to Bob.
    let (status, _) = patch_me(
        &app,
        &mal.token,
        json!({"handles": {"linear": "Bob Stone"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let item = Some("github.com/o/r/pull/7");
    for what in [item, None] {
        assert_eq!(
            ack_as(&app, &mal.token, &ann.member_id, what).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            ack_as(&app, &bob.token, &ann.member_id, what).await,
            StatusCode::OK
        );
    }
}

async fn a_rename_after_declaring_does_not_redirect_a_hand_off(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob", "Mal"]).await;
    let (ann, bob, mal) = (&m[0], &m[1], &m[2]);
    hand_off(&app, &ann.token, "@bob", "Ann").await;
    // Bob renames and drops "bob"; Mal then takes it, which is allowed now.
    let (status, _) = patch_me(
        &app,
        &bob.token,
        json!({"display_name": "Robert", "handles": {"github": "robert"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = patch_me(&app, &mal.token, json!({"handles": {"github": "bob"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, states) = call(&app, "GET", "/v1/team/states", Some(&mal.token), &[], None).await;
    assert_eq!(
        states["states"][0]["recipients"],
        json!([{"member": ann.member_id}, {"item": "github.com/o/r/pull/7", "member": bob.member_id}]),
        "both stay with whom they named when declared"
    );
    let item = Some("github.com/o/r/pull/7");
    assert_eq!(
        ack_as(&app, &mal.token, &ann.member_id, item).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ack_as(&app, &mal.token, &ann.member_id, None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ack_as(&app, &bob.token, &ann.member_id, None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ack_as(&app, &bob.token, &ann.member_id, item).await,
        StatusCode::OK
    );
}

async fn teams_cannot_see_or_touch_each_other(db: TestDb) {
    let app = test_app(db.store.clone());
    let a = team_of(&app, db.store.as_ref(), "alpha", &["Ann"]).await;
    let b = team_of(&app, db.store.as_ref(), "beta", &["Bob"]).await;
    let mut d = declaration("alpha secrets");
    d["cover"] = json!("bob");
    let (status, refused) = call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&a[0].token),
        &[("if-match", "0")],
        Some(d.clone()),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("cover")),
        "beta's Bob is no member of alpha"
    );
    // As a declaration stored before that refusal would be.
    let d: standin::model::Declaration = serde_json::from_value(d).unwrap();
    db.store
        .write_state(&a[0].team_id, &a[0].member_id, 0, Some(&d), common::ts(1))
        .await
        .unwrap();
    let bob = Some(b[0].token.as_str());

    let (_, roster) = call(&app, "GET", "/v1/team", bob, &[], None).await;
    assert_eq!(roster["members"].as_array().unwrap().len(), 1);
    assert_eq!(roster["members"][0]["display_name"], "Bob");
    let (_, states) = call(&app, "GET", "/v1/team/states", bob, &[], None).await;
    assert!(states["states"].as_array().unwrap().is_empty());
    let (_, changes) = call(&app, "GET", "/v1/team/changes", bob, &[], None).await;
    assert!(changes["states"].as_array().unwrap().is_empty());
    assert!(!changes.to_string().contains("alpha secrets"));
    // Even though Ann's cover names "bob", Bob of another team cannot acknowledge it.
    let (status, _) = call(
        &app,
        "POST",
        "/v1/team/acks",
        bob,
        &[],
        Some(json!({"member_id": a[0].member_id})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Alpha's ETag means nothing to beta.
    let (_, h, _) = call_raw(&app, "GET", "/v1/team/states", Some(&a[0].token), &[], None).await;
    let etag = h["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = call_raw(
        &app,
        "GET",
        "/v1/team/states",
        bob,
        &[("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ann_still) = call(&app, "GET", "/v1/me", Some(&a[0].token), &[], None).await;
    assert_eq!(ann_still["state"]["version"], 1);
}

async fn revoked_and_removed_tokens_get_401(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    let now = standin_server::now();
    db.store
        .revoke_token(&token::hash(&m[0].token), now)
        .await
        .unwrap();
    db.store
        .remove_member(&m[1].team_id, &m[1].member_id, now)
        .await
        .unwrap();
    for tok in [m[0].token.as_str(), m[1].token.as_str(), "stn_made_up", ""] {
        let (status, h, bytes) = call_raw(&app, "GET", "/v1/me", Some(tok), &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{tok}");
        assert_eq!(h["www-authenticate"], "Bearer");
        let err: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(err["error"], "unauthorized");
    }
    let (status, _) = call(&app, "GET", "/v1/team/states", None, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn profile_changes_reach_the_roster(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann"]).await;
    let tok = Some(m[0].token.as_str());
    let patch = json!({
        "display_name": "Ann Lee",
        "timezone": "America/New_York",
        "working_hours": {"days": ["mon", "tue"], "start": "08:30", "end": "16:30"}
    });
    let (status, member) = call(&app, "PATCH", "/v1/me", tok, &[], Some(patch)).await;
    assert_eq!(status, StatusCode::OK, "{member}");
    assert_eq!(member["handles"]["github"], "ann", "absent fields stay");
    let (_, roster) = call(&app, "GET", "/v1/team", tok, &[], None).await;
    assert_eq!(roster["members"][0]["display_name"], "Ann Lee");
    assert_eq!(roster["members"][0]["working_hours"]["start"], "08:30");
}

async fn hostile_text_is_stored_verbatim_and_harmless(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann"]).await;
    let nasty = "Robert'); DROP TABLE states;-- <script>alert(1)</script>";
    let mut d = declaration(nasty);
    d["note"] = json!("<img src=x onerror=alert(1)> ' OR 1=1 --");
    let (status, _) = call(
        &app,
        "PUT",
        "/v1/me/state",
        Some(&m[0].token),
        &[("if-match", "0")],
        Some(d),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, states) = call(&app, "GET", "/v1/team/states", Some(&m[0].token), &[], None).await;
    let declared = &states["states"][0]["state"]["declaration"];
    assert_eq!(declared["headline"], nasty);
    assert_eq!(declared["note"], "<img src=x onerror=alert(1)> ' OR 1=1 --");
    // The tables are all still there.
    assert_eq!(db.store.members(&m[0].team_id).await.unwrap().len(), 1);
}

async fn clients_hanging_up_mid_request_break_nothing(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    // Requests dropped at every stage (as when a browser closes the connection): before, in
    // and after their transactions.
    for i in 0..300u64 {
        let cut = Duration::from_micros(i * 37 % 3000);
        let version = db
            .store
            .state(&m[0].team_id, &m[0].member_id)
            .await
            .unwrap()
            .version;
        let v = version.to_string();
        let if_match = [("if-match", v.as_str())];
        let body = Some(declaration(&format!("attempt {i}")));
        let write = call(
            &app,
            "PUT",
            "/v1/me/state",
            Some(&m[0].token),
            &if_match,
            body,
        );
        let _ = tokio::time::timeout(cut, write).await;
        let read = call(
            &app,
            "GET",
            "/v1/team/changes?after=0",
            Some(&m[1].token),
            &[],
            None,
        );
        let _ = tokio::time::timeout(cut, read).await;
    }
    // Every pooled connection still works and none is stuck inside an old transaction (it
    // would answer from a stale snapshot). Writes the hung-up clients had already handed to
    // the database keep landing for a while (they run detached), hence the 412 retries.
    let team = m[0].team_id.as_str();
    for _ in 0..20 {
        loop {
            let version = db.store.state(team, &m[0].member_id).await.unwrap().version;
            let v = version.to_string();
            let if_match = [("if-match", v.as_str())];
            let body = Some(declaration("after"));
            let (status, body) = call(
                &app,
                "PUT",
                "/v1/me/state",
                Some(&m[0].token),
                &if_match,
                body,
            )
            .await;
            if status == StatusCode::OK {
                break;
            }
            assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
        }
        let before = db.store.team_cursor(team).await.unwrap();
        let path = "/v1/team/changes?after=0";
        let (status, changes) = call(&app, "GET", path, Some(&m[1].token), &[], None).await;
        assert_eq!(status, StatusCode::OK);
        let after = db.store.team_cursor(team).await.unwrap();
        let seen = changes["cursor"].as_u64().unwrap();
        assert!(
            before <= seen && seen <= after,
            "{before} <= {seen} <= {after}"
        );
    }
}

// ---- Backend-independent HTTP behaviour (SQLite only) ----

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let db = common::sqlite_db().await;
    let options = Options {
        rate_per_second: 1.0,
        rate_burst: 3,
        ..common::test_options()
    };
    let app = app(AppState::new(db.store.clone(), options));
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann", "Bob"]).await;
    for _ in 0..3 {
        let (status, _) = call(&app, "GET", "/v1/me", Some(&m[0].token), &[], None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, h, bytes) = call_raw(&app, "GET", "/v1/me", Some(&m[0].token), &[], None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "1");
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["error"],
        "rate_limited"
    );
    let (status, _) = call(&app, "GET", "/v1/me", Some(&m[1].token), &[], None).await;
    assert_eq!(status, StatusCode::OK, "limits are per token");
}

#[tokio::test]
async fn openapi_documents_exactly_the_served_routes() {
    let db = common::sqlite_db().await;
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann"]).await;
    let (status, doc) = call(&app, "GET", "/openapi.json", None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    documented.sort();
    assert_eq!(
        documented,
        [
            "DELETE /v1/me/state",
            "GET /healthz",
            "GET /v1/me",
            "GET /v1/team",
            "GET /v1/team/changes",
            "GET /v1/team/states",
            "PATCH /v1/me",
            "POST /v1/join",
            "POST /v1/team/acks",
            "PUT /v1/me/state",
        ]
    );
    // Every documented operation is served (anything but 404/405).
    for op in &documented {
        let (method, path) = op.split_once(' ').unwrap();
        let (status, _) = call(&app, method, path, Some(&m[0].token), &[], None).await;
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{op}: {status}"
        );
    }
    for schema in [
        "Declaration",
        "MemberState",
        "ApiError",
        "TeamStates",
        "ChangesResponse",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

/// The document states what the extractors and layers answer and what the validator enforces,
/// from the same constants (`standin::limits`); bad_input.rs checks every status its hostile
/// requests get is listed, and tests/schemathesis.sh fuzzes the rest.
#[tokio::test]
async fn openapi_states_every_error_and_limit() {
    let doc = standin_server::openapi();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let listed = |status: &str| !op["responses"][status].is_null();
            let needs: &[&str] = &[
                if op["requestBody"].is_null() {
                    &[][..]
                } else {
                    &["400", "413", "415", "422"]
                },
                if op["security"].is_null() {
                    &[][..]
                } else {
                    &["401", "429"]
                },
                if path.starts_with("/v1/") {
                    &["408", "500"][..]
                } else {
                    &[]
                },
            ]
            .concat();
            for status in needs {
                assert!(listed(status), "{method} {path} lacks {status}");
            }
            if listed("429") {
                assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert_eq!(operations, 10);
    let schemas = &doc["components"]["schemas"];
    let property = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    for schema in [
        "Declaration",
        "WorkItem",
        "JoinRequest",
        "MemberPatch",
        "AckRequest",
        "Handles",
    ] {
        assert_eq!(schemas[schema]["additionalProperties"], false, "{schema}");
    }
    let headline = property("Declaration", "headline");
    assert_eq!(headline["maxLength"], limits::HEADLINE.max_graphemes);
    assert!(headline["pattern"]
        .as_str()
        .unwrap()
        .contains(r"\u200b-\u200f"));
    assert_eq!(
        property("Declaration", "items")["maxItems"],
        limits::MAX_ITEMS
    );
    assert_eq!(
        property("Declaration", "note")["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        property("WorkItem", "url")["maxLength"],
        limits::MAX_URL_BYTES
    );
    assert_eq!(property("JoinRequest", "invite")["minLength"], 1);
    assert_eq!(property("Handles", "github")["maxLength"], 39);
    let zones = schemas["TimeZone"]["enum"].as_array().unwrap();
    assert!(zones.contains(&json!("Europe/Berlin")) && zones.contains(&json!("UTC")));
    assert!(!zones.contains(&json!("Mars/Olympus_Mons")));
    assert_eq!(
        property("Declaration", "timezone")["$ref"],
        "#/components/schemas/TimeZone"
    );
    let put = &doc["paths"]["/v1/me/state"]["put"];
    let if_match = &put["parameters"][0];
    assert_eq!(
        (if_match["name"].as_str(), if_match["required"].as_bool()),
        (Some("If-Match"), Some(true))
    );
    assert!(if_match["schema"]["pattern"]
        .as_str()
        .unwrap()
        .contains("[0-9]{1,19}"));
    assert_eq!(
        put["responses"]["200"]["links"]["Declare"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
    let changes = &doc["paths"]["/v1/team/changes"]["get"]["parameters"];
    let wait = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "wait")
        .unwrap();
    assert_eq!(
        wait["schema"],
        json!({"type": "integer", "minimum": 0, "maximum": standin::api::MAX_WAIT_SECONDS})
    );
}

#[tokio::test]
async fn cors_admits_extension_origins_only() {
    let db = common::sqlite_db().await;
    let app = test_app(db.store.clone());
    for (origin, allowed) in [
        ("chrome-extension://abcdefghijklmnop", true),
        ("moz-extension://1234-5678", true),
        ("https://evil.example", false),
    ] {
        let (status, h, _) = call_raw(
            &app,
            "OPTIONS",
            "/v1/me/state",
            None,
            &[
                ("origin", origin),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "authorization,if-match,content-type",
                ),
            ],
            None,
        )
        .await;
        assert!(status.is_success(), "{origin}: {status}");
        let got = h
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref() == Some(origin), allowed, "{origin}");
    }
}

#[tokio::test]
async fn errors_outside_handlers_are_json_too() {
    let db = common::sqlite_db().await;
    let app = test_app(db.store.clone());
    let (status, err) = call(&app, "GET", "/v1/nothing-here", None, &[], None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, err) = call(&app, "POST", "/v1/me", None, &[], None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let (status, h, bytes) = call_raw(&app, "GET", "/healthz", None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(bytes, br#"{"status":"ok"}"#);
}
