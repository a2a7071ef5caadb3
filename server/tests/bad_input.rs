//! Malformed and hostile requests: each gets the right 4xx in the API's JSON error format, and
//! none of them stores anything. Runs on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{call_raw, declaration, team_of, test_app, ts, TestDb};
use serde_json::{json, Value};
use standin::limits;
use standin::model::Declaration;
use standin::validate::validate_declaration;
use standin_server::storage::{Invitee, Storage};
use standin_server::token;

for_each_backend!(
    every_bad_request_is_refused_and_stores_nothing,
    refusals_of_text_say_what_the_popup_says,
);

/// One hostile request and what it must get.
struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    auth: Auth,
    headers: Vec<(&'static str, String)>,
    /// Raw body and content type ("" = no Content-Type header).
    body: Option<(Vec<u8>, &'static str)>,
    status: StatusCode,
    error: &'static str,
    field: Option<&'static str>,
}

#[derive(Clone, Copy)]
enum Auth {
    Ann,
    None,
    Bogus,
}

fn put_state(
    name: &'static str,
    body: Value,
    status: StatusCode,
    field: Option<&'static str>,
) -> Case {
    let error = if status == StatusCode::UNPROCESSABLE_ENTITY {
        "validation_failed"
    } else {
        ""
    };
    Case {
        name,
        method: "PUT",
        path: "/v1/me/state".into(),
        auth: Auth::Ann,
        headers: vec![("if-match", "0".into())],
        body: Some((body.to_string().into_bytes(), "application/json")),
        status,
        error,
        field,
    }
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn get(
    name: &'static str,
    path: &str,
    status: StatusCode,
    error: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        name,
        method: "GET",
        path: path.into(),
        auth: Auth::Ann,
        headers: vec![],
        body: None,
        status,
        error,
        field,
    }
}

fn join(
    name: &'static str,
    body: Value,
    status: StatusCode,
    error: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        name,
        method: "POST",
        path: "/v1/join".into(),
        auth: Auth::None,
        headers: vec![],
        body: Some((body.to_string().into_bytes(), "application/json")),
        status,
        error,
        field,
    }
}

/// A declaration whose JSON is over `MAX_DECLARATION_BYTES` but fits the request cap: items of
/// Japanese text (3 bytes a character), each field within its own limit.
fn over_budget() -> Value {
    let item = json!({
        "url": "https://github.com/o/r/pull/1",
        "state": "waiting",
        "title": "日本語".repeat(66),
        "note": "日本語".repeat(166),
    });
    let mut d = declaration("Handing over");
    let mut items = Vec::new();
    while d.to_string().len() <= limits::MAX_DECLARATION_BYTES {
        items.push(item.clone());
        d["items"] = json!(items);
    }
    assert!(d.to_string().len() <= limits::MAX_BODY_BYTES);
    d
}

fn cases(
    used_invite: &str,
    expired_invite: &str,
    spare_invite: &str,
    other_team_member: &str,
) -> Vec<Case> {
    use StatusCode as S;
    const V: &str = "validation_failed";
    let d = declaration("ok");
    let item = json!({"url": "https://github.com/o/r/pull/1", "state": "in_progress"});
    let long = |n: usize| "x".repeat(n);
    let join_body = |invite: &str| json!({"invite": invite, "display_name": "Mallory", "timezone": "Europe/Berlin"});
    let mut v = vec![
        put_state(
            "status of the wrong type",
            with(d.clone(), "status", json!(42)),
            S::UNPROCESSABLE_ENTITY,
            Some("status"),
        ),
        put_state(
            "unknown status",
            with(d.clone(), "status", json!("asleep")),
            S::UNPROCESSABLE_ENTITY,
            Some("status"),
        ),
        put_state(
            "unknown field",
            with(d.clone(), "is_admin", json!(true)),
            S::UNPROCESSABLE_ENTITY,
            Some("is_admin"),
        ),
        put_state(
            "unknown nested field",
            with(
                d.clone(),
                "items",
                json!([with(item.clone(), "owner", json!("x"))]),
            ),
            S::UNPROCESSABLE_ENTITY,
            Some("items[0].owner"),
        ),
        put_state(
            "missing headline",
            json!({"status": "online", "timezone": "UTC"}),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "headline over 80",
            with(d.clone(), "headline", json!(long(81))),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "blank headline",
            with(d.clone(), "headline", json!("   ")),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "zero-width-space headline",
            with(d.clone(), "headline", json!("\u{200B}")),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "right-to-left-override headline",
            with(d.clone(), "headline", json!("\u{202E}")),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "right-to-left-override emoji",
            with(d.clone(), "emoji", json!("\u{202E}")),
            S::UNPROCESSABLE_ENTITY,
            Some("emoji"),
        ),
        put_state(
            "zero-width-space emoji",
            with(d.clone(), "emoji", json!("\u{200B}")),
            S::UNPROCESSABLE_ENTITY,
            Some("emoji"),
        ),
        put_state(
            "over the declaration size, under the body cap",
            over_budget(),
            S::UNPROCESSABLE_ENTITY,
            Some("items"),
        ),
        put_state(
            "control character",
            with(d.clone(), "headline", json!("bell\u{7}")),
            S::UNPROCESSABLE_ENTITY,
            Some("headline"),
        ),
        put_state(
            "note over 2000",
            with(d.clone(), "note", json!(long(2001))),
            S::UNPROCESSABLE_ENTITY,
            Some("note"),
        ),
        put_state(
            "51 items",
            with(d.clone(), "items", json!(vec![item.clone(); 51])),
            S::UNPROCESSABLE_ENTITY,
            Some("items"),
        ),
        put_state(
            "items not a list",
            with(d.clone(), "items", json!({"0": item.clone()})),
            S::UNPROCESSABLE_ENTITY,
            Some("items"),
        ),
        put_state(
            "javascript: URL",
            with(
                d.clone(),
                "items",
                json!([with(item.clone(), "url", json!("javascript:alert(1)"))]),
            ),
            S::UNPROCESSABLE_ENTITY,
            Some("items[0].url"),
        ),
        put_state(
            "unknown item state",
            with(
                d.clone(),
                "items",
                json!([with(item.clone(), "state", json!("merged"))]),
            ),
            S::UNPROCESSABLE_ENTITY,
            Some("items[0].state"),
        ),
        put_state(
            "emoji that is text",
            with(d.clone(), "emoji", json!("abc")),
            S::UNPROCESSABLE_ENTITY,
            Some("emoji"),
        ),
        put_state(
            "invented time zone",
            with(d.clone(), "timezone", json!("Mars/Olympus_Mons")),
            S::UNPROCESSABLE_ENTITY,
            Some("timezone"),
        ),
        put_state(
            "SQL as time zone",
            with(d.clone(), "timezone", json!("UTC'; DROP TABLE states; --")),
            S::UNPROCESSABLE_ENTITY,
            Some("timezone"),
        ),
        Case {
            name: "hand-off to a name no member goes by",
            error: "unknown_member",
            ..put_state(
                "",
                with(
                    d.clone(),
                    "items",
                    json!([
                        item.clone(),
                        with(item.clone(), "handoff_to", json!("Shun"))
                    ]),
                ),
                S::BAD_REQUEST,
                Some("items[1].handoff_to"),
            )
        },
        Case {
            name: "cover naming no member",
            error: "unknown_member",
            ..put_state(
                "",
                with(d.clone(), "cover", json!("Ana")),
                S::BAD_REQUEST,
                Some("cover"),
            )
        },
        Case {
            name: "hand-off to a member of another team",
            error: "unknown_member",
            ..put_state(
                "",
                with(
                    d.clone(),
                    "items",
                    json!([with(item.clone(), "handoff_to", json!(other_team_member))]),
                ),
                S::BAD_REQUEST,
                Some("items[0].handoff_to"),
            )
        },
        put_state(
            "back_at in the past",
            with(d.clone(), "back_at", json!("2001-01-01T00:00:00Z")),
            S::UNPROCESSABLE_ENTITY,
            Some("back_at"),
        ),
        put_state(
            "back_at not a date",
            with(d.clone(), "back_at", json!("tomorrow-ish")),
            S::UNPROCESSABLE_ENTITY,
            Some("back_at"),
        ),
        put_state(
            "body is an array",
            json!([d.clone()]),
            S::UNPROCESSABLE_ENTITY,
            Some("body"),
        ),
        Case {
            name: "malformed JSON",
            body: Some((b"{\"status\": \"online\",".to_vec(), "application/json")),
            error: "malformed_json",
            ..put_state("", d.clone(), S::BAD_REQUEST, None)
        },
        Case {
            name: "trailing garbage after JSON",
            body: Some((format!("{d} {{}}").into_bytes(), "application/json")),
            error: "malformed_json",
            ..put_state("", d.clone(), S::BAD_REQUEST, None)
        },
        Case {
            name: "nesting bomb",
            body: Some((
                format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
                "application/json",
            )),
            error: "malformed_json",
            ..put_state("", d.clone(), S::BAD_REQUEST, None)
        },
        Case {
            name: "invalid UTF-8",
            body: Some((
                b"{\"status\":\"online\",\"headline\":\"\xff\xfe\",\"timezone\":\"UTC\"}".to_vec(),
                "application/json",
            )),
            error: "malformed_json",
            ..put_state("", d.clone(), S::BAD_REQUEST, None)
        },
        Case {
            name: "form-encoded body",
            body: Some((
                b"status=online".to_vec(),
                "application/x-www-form-urlencoded",
            )),
            error: "unsupported_media_type",
            ..put_state("", d.clone(), S::UNSUPPORTED_MEDIA_TYPE, None)
        },
        Case {
            name: "no content type",
            body: Some((d.to_string().into_bytes(), "")),
            error: "unsupported_media_type",
            ..put_state("", d.clone(), S::UNSUPPORTED_MEDIA_TYPE, None)
        },
        Case {
            name: "body over 64 KiB",
            body: Some((
                with(d.clone(), "note", json!(long(70 * 1024)))
                    .to_string()
                    .into_bytes(),
                "application/json",
            )),
            error: "payload_too_large",
            ..put_state("", d.clone(), S::PAYLOAD_TOO_LARGE, None)
        },
        Case {
            name: "no If-Match",
            headers: vec![],
            error: "precondition_required",
            ..put_state("", d.clone(), S::PRECONDITION_REQUIRED, None)
        },
        Case {
            name: "If-Match *",
            headers: vec![("if-match", "*".into())],
            error: "bad_if_match",
            ..put_state("", d.clone(), S::BAD_REQUEST, Some("If-Match"))
        },
        Case {
            name: "If-Match of 20 digits (fits a u64, not the document's 19)",
            headers: vec![("if-match", "12345678901234567890".into())],
            error: "bad_if_match",
            ..put_state("", d.clone(), S::BAD_REQUEST, Some("If-Match"))
        },
        Case {
            name: "If-Match half quoted",
            headers: vec![("if-match", "\"3".into())],
            error: "bad_if_match",
            ..put_state("", d.clone(), S::BAD_REQUEST, Some("If-Match"))
        },
        put_state(
            "an item written as an array of its fields",
            with(
                d.clone(),
                "items",
                json!([["https://github.com/o/r/pull/1", "", "", "", "done", null]]),
            ),
            S::UNPROCESSABLE_ENTITY,
            Some("items[0]"),
        ),
        Case {
            name: "stale If-Match",
            headers: vec![("if-match", "\"7\"".into())],
            error: "version_conflict",
            ..put_state("", d.clone(), S::PRECONDITION_FAILED, None)
        },
        Case {
            name: "no token",
            auth: Auth::None,
            error: "unauthorized",
            ..put_state("", d.clone(), S::UNAUTHORIZED, None)
        },
        Case {
            name: "made-up token",
            auth: Auth::Bogus,
            error: "unauthorized",
            ..put_state("", d.clone(), S::UNAUTHORIZED, None)
        },
        Case {
            name: "clear without If-Match",
            method: "DELETE",
            headers: vec![],
            body: None,
            error: "precondition_required",
            ..put_state("", d.clone(), S::PRECONDITION_REQUIRED, None)
        },
        get(
            "negative cursor",
            "/v1/team/changes?after=-1",
            S::BAD_REQUEST,
            "bad_query",
            Some("after"),
        ),
        get(
            "garbage cursor",
            "/v1/team/changes?after=abc",
            S::BAD_REQUEST,
            "bad_query",
            Some("after"),
        ),
        get(
            "float cursor",
            "/v1/team/changes?after=1e3",
            S::BAD_REQUEST,
            "bad_query",
            Some("after"),
        ),
        get(
            "huge cursor",
            "/v1/team/changes?after=99999999999999999999999",
            S::BAD_REQUEST,
            "bad_query",
            Some("after"),
        ),
        get(
            "cursor past the document's maximum (i64::MAX)",
            "/v1/team/changes?after=9223372036854775808",
            S::BAD_REQUEST,
            "bad_query",
            Some("after"),
        ),
        get(
            "huge wait",
            "/v1/team/changes?wait=3600",
            S::BAD_REQUEST,
            "bad_query",
            Some("wait"),
        ),
        get(
            "negative wait",
            "/v1/team/changes?wait=-5",
            S::BAD_REQUEST,
            "bad_query",
            Some("wait"),
        ),
        get(
            "unknown endpoint",
            "/v1/admin",
            S::NOT_FOUND,
            "not_found",
            None,
        ),
        join(
            "reused invite",
            join_body(used_invite),
            S::GONE,
            "invite_used",
            None,
        ),
        join(
            "expired invite",
            join_body(expired_invite),
            S::GONE,
            "invite_expired",
            None,
        ),
        join(
            "unknown invite",
            join_body("inv_0000"),
            S::NOT_FOUND,
            "not_found",
            None,
        ),
        join(
            "invite of the wrong type",
            json!({"invite": 12345, "display_name": "M", "timezone": "UTC"}),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("invite"),
        ),
        join(
            "join with an invented zone",
            with(
                join_body(spare_invite),
                "timezone",
                json!("Europe/Atlantis"),
            ),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("timezone"),
        ),
        join(
            "join with HTML as GitHub login",
            with(
                join_body(spare_invite),
                "handles",
                json!({"github": "<script>alert(1)</script>"}),
            ),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("handles.github"),
        ),
        join(
            "join with an empty name",
            with(join_body(spare_invite), "display_name", json!("")),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("display_name"),
        ),
        join(
            "join with an invisible name",
            with(
                join_body(spare_invite),
                "display_name",
                json!("\u{2066}\u{200B}"),
            ),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("display_name"),
        ),
        join(
            "join with an oversize invite",
            join_body(&long(10_000)),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("invite"),
        ),
        join(
            "join with an invite of 129 characters",
            join_body(&"é".repeat(129)),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("invite"),
        ),
        join(
            "join with an invite of 128 characters (256 bytes): looked up, unknown",
            join_body(&"é".repeat(128)),
            S::NOT_FOUND,
            "not_found",
            None,
        ),
        join(
            "join with handles written as an array",
            with(join_body(spare_invite), "handles", json!([null, null])),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("handles"),
        ),
        join(
            "join with an unknown field",
            with(join_body(spare_invite), "team_id", json!("t_other")),
            S::UNPROCESSABLE_ENTITY,
            V,
            Some("team_id"),
        ),
        Case {
            name: "profile with SQL as GitLab user",
            method: "PATCH",
            path: "/v1/me".into(),
            headers: vec![],
            body: Some((
                json!({"handles": {"gitlab": "x' OR '1'='1"}})
                    .to_string()
                    .into_bytes(),
                "application/json",
            )),
            ..put_state(
                "",
                d.clone(),
                S::UNPROCESSABLE_ENTITY,
                Some("handles.gitlab"),
            )
        },
        Case {
            name: "profile with no working days",
            method: "PATCH",
            path: "/v1/me".into(),
            headers: vec![],
            body: Some((
                json!({"working_hours": {"days": [], "start": "09:00", "end": "17:00"}})
                    .to_string()
                    .into_bytes(),
                "application/json",
            )),
            ..put_state(
                "",
                d.clone(),
                S::UNPROCESSABLE_ENTITY,
                Some("working_hours.days"),
            )
        },
        Case {
            name: "profile with a 25:00 start",
            method: "PATCH",
            path: "/v1/me".into(),
            headers: vec![],
            body: Some((
                json!({"working_hours": {"days": ["mon"], "start": "25:00", "end": "17:00"}})
                    .to_string()
                    .into_bytes(),
                "application/json",
            )),
            ..put_state(
                "",
                d.clone(),
                S::UNPROCESSABLE_ENTITY,
                Some("working_hours.start"),
            )
        },
        Case {
            name: "ack of another team's member",
            method: "POST",
            path: "/v1/team/acks".into(),
            headers: vec![],
            body: Some((
                json!({"member_id": other_team_member})
                    .to_string()
                    .into_bytes(),
                "application/json",
            )),
            error: "not_found",
            ..put_state("", d.clone(), S::NOT_FOUND, None)
        },
    ];
    for c in &mut v {
        if c.name.is_empty() {
            c.name = "unnamed";
        }
    }
    v
}

async fn every_bad_request_is_refused_and_stores_nothing(db: TestDb) {
    let app = test_app(db.store.clone());
    let store: &dyn Storage = db.store.as_ref();
    let m = team_of(&app, store, "acme", &["Ann", "Bob"]).await;
    let other = team_of(&app, store, "other", &["Oz"]).await;
    let team = m[0].team_id.clone();
    // A used invite (Bob's), an expired one, a spare live one.
    let (_, codes) = common::team_with_invites(store, "spare", 1).await;
    let spare = codes[0].clone();
    let expired = token::new_invite_code();
    store
        .create_invite(&team, &token::hash(&expired), Invitee::Member, ts(1), ts(0))
        .await
        .unwrap();
    let used = {
        let (_, codes) = common::team_with_invites(store, "used", 1).await;
        let body = json!({"invite": codes[0], "display_name": "First", "timezone": "UTC"});
        let (status, _, _) = call_raw(
            &app,
            "POST",
            "/v1/join",
            None,
            &[],
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        codes[0].clone()
    };
    let cursor_before = store.team_cursor(&team).await.unwrap();
    let members_before = store.members(&team).await.unwrap();

    let (_, doc) = common::call(&app, "GET", "/openapi.json", None, &[], None).await;
    let cases = cases(&used, &expired, &spare, &other[0].member_id);
    assert!(cases.len() >= 25, "the table keeps at least 25 cases");
    let mut failures = Vec::new();
    for case in &cases {
        let token = match case.auth {
            Auth::Ann => Some(m[0].token.as_str()),
            Auth::None => None,
            Auth::Bogus => Some("stn_0123456789abcdef0123456789abcdef"),
        };
        let headers: Vec<(&str, &str)> =
            case.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, h, bytes) = call_raw(
            &app,
            case.method,
            &case.path,
            token,
            &headers,
            case.body.clone(),
        )
        .await;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let field_ok = case.field.is_none_or(|f| body["field"] == f);
        let error_ok = case.error.is_empty() || body["error"] == case.error;
        let json_ok = h
            .get("content-type")
            .is_some_and(|v| v == "application/json")
            && body["message"].is_string();
        // The document is an exact contract: whatever an operation answered, it lists.
        let path = case.path.split('?').next().unwrap_or_default();
        let operation = &doc["paths"][path][case.method.to_lowercase()];
        if operation.is_object() && operation["responses"][status.as_str()].is_null() {
            failures.push(format!("{}: {status} is not in /openapi.json", case.name));
        }
        if status != case.status || !field_ok || !error_ok || !json_ok {
            failures.push(format!(
                "{}: got {status} {body}, want {} {} field {:?}",
                case.name, case.status, case.error, case.field
            ));
        }
        assert!(
            !String::from_utf8_lossy(&bytes)
                .to_lowercase()
                .contains("sqlx"),
            "{}",
            case.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Nothing was stored: no state, no new member, the team's cursor did not move, the spare
    // invite is still usable and the expired one still unused.
    assert_eq!(
        store.state(&team, &m[0].member_id).await.unwrap().version,
        0
    );
    assert_eq!(store.team_cursor(&team).await.unwrap(), cursor_before);
    assert_eq!(store.members(&team).await.unwrap(), members_before);
    assert!(store.team_states(&team).await.unwrap().1.is_empty());
    let body = json!({"invite": spare, "display_name": "Late", "timezone": "UTC"});
    let (status, _, _) = call_raw(
        &app,
        "POST",
        "/v1/join",
        None,
        &[],
        Some((body.to_string().into_bytes(), "application/json")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "validation failures must not burn the invite"
    );
}

/// The server refuses with the shared validator's own messages, so the popup (which runs the
/// same validator before sending) and an API client read the same words.
async fn refusals_of_text_say_what_the_popup_says(db: TestDb) {
    let app = test_app(db.store.clone());
    let m = team_of(&app, db.store.as_ref(), "acme", &["Ann"]).await;
    let d = declaration("ok");
    for body in [
        with(d.clone(), "headline", json!("\u{200B}")),
        with(d.clone(), "headline", json!("\u{202E}")),
        with(d.clone(), "emoji", json!("\u{202E}")),
        over_budget(),
    ] {
        let (status, _, bytes) = call_raw(
            &app,
            "PUT",
            "/v1/me/state",
            Some(&m[0].token),
            &[("if-match", "0")],
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        let declaration: Declaration = serde_json::from_value(body).unwrap();
        let expected = validate_declaration(&declaration, None).unwrap_err();
        assert_eq!(answer["errors"], serde_json::to_value(&expected.0).unwrap());
    }
}
