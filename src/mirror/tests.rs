use super::*;
use crate::http::tests::answer;
use crate::model::Declaration;
use serde_json::{json, Value};

const NOW: Timestamp = Timestamp(1_795_000_000_000);

fn declared(status: Status, headline: &str) -> Intent {
    Intent::Declare {
        declaration: Box::new(Declaration::new(status, headline, "Europe/Berlin")),
    }
}

fn with(intent: Intent, change: impl FnOnce(&mut Declaration)) -> Intent {
    match intent {
        Intent::Declare { mut declaration } => {
            change(&mut declaration);
            Intent::Declare { declaration }
        }
        Intent::Clear => Intent::Clear,
    }
}

fn body(call: &Call) -> Value {
    serde_json::to_value(call.body.as_ref().expect("a body")).expect("serialisable")
}

const API: &str = "https://api.example";

#[test]
fn github_each_status_sets_message_emoji_availability_and_expiry() {
    let settings = MirrorSettings::default();
    for status in Status::ALL {
        let call = mirror_call(
            Service::Github,
            "https://api.github.com",
            &declared(status, "Reviewing"),
            &settings,
            NOW,
        );
        assert_eq!(
            (call.method, call.url.as_str()),
            ("POST", "https://api.github.com/graphql")
        );
        let b = body(&call);
        assert!(b["query"].as_str().unwrap().contains("changeUserStatus"));
        let busy = matches!(status, Status::Away | Status::Offline | Status::Ooo);
        assert_eq!(
            b["variables"]["input"],
            json!({
                "message": "Reviewing",
                "emoji": format!(":{}:", EmojiTable::default().get(status)),
                "limitedAvailability": busy,
            }),
            "{status:?}"
        );
    }
    let focus_busy = MirrorSettings {
        focus_busy: true,
        ..MirrorSettings::default()
    };
    let b = body(&mirror_call(
        Service::Github,
        API,
        &declared(Status::Focus, "x"),
        &focus_busy,
        NOW,
    ));
    assert_eq!(b["variables"]["input"]["limitedAvailability"], json!(true));

    let back = NOW.plus_minutes(90);
    let intent = with(declared(Status::Away, "Lunch"), |d| {
        d.emoji = Some("🍽️".into());
        d.back_at = Some(back);
        d.expires_at = Some(NOW.plus_minutes(600));
    });
    let b = body(&mirror_call(Service::Github, API, &intent, &settings, NOW));
    assert_eq!(b["variables"]["input"]["emoji"], json!("🍽️"));
    assert_eq!(
        b["variables"]["input"]["expiresAt"],
        json!(back.to_string()),
        "the earlier of back-at and expiry"
    );
}

#[test]
fn clear_and_unmirrored_statuses_clear_every_service() {
    let mut settings = MirrorSettings::default();
    settings.off.push(Off {
        service: Service::Slack,
        status: Status::Online,
    });
    let gh = body(&mirror_call(
        Service::Github,
        API,
        &Intent::Clear,
        &settings,
        NOW,
    ));
    assert_eq!(gh["variables"]["input"], json!({}));
    let gl = mirror_call(Service::Gitlab, API, &Intent::Clear, &settings, NOW);
    assert_eq!(
        (gl.method, gl.url.as_str()),
        ("PUT", "https://api.example/api/v4/user/status")
    );
    assert_eq!(
        body(&gl),
        json!({"emoji": "", "message": "", "availability": "not_set"})
    );
    let cleared_slack =
        json!({"profile": {"status_text": "", "status_emoji": "", "status_expiration": 0}});
    let online = declared(Status::Online, "Here");
    assert_eq!(
        body(&mirror_call(Service::Slack, API, &online, &settings, NOW)),
        cleared_slack,
        "Online is off for Slack"
    );
    assert_eq!(
        body(&mirror_call(
            Service::Slack,
            API,
            &Intent::Clear,
            &settings,
            NOW
        )),
        cleared_slack
    );
    assert!(settings.mirrors(Service::Github, Status::Online));
    // A declaration whose expiry has passed clears too.
    let over = with(declared(Status::Away, "x"), |d| d.expires_at = Some(NOW));
    assert_eq!(shown_for(Service::Github, &over, &settings, NOW), None);
}

#[test]
fn gitlab_each_status_and_the_documented_clear_after() {
    let settings = MirrorSettings::default();
    for status in Status::ALL {
        let b = body(&mirror_call(
            Service::Gitlab,
            API,
            &declared(status, "Deep work"),
            &settings,
            NOW,
        ));
        let availability = match status {
            Status::Online | Status::Focus => "not_set",
            _ => "busy",
        };
        assert_eq!(
            b,
            json!({"emoji": EmojiTable::default().get(status), "message": "Deep work", "availability": availability}),
            "{status:?}"
        );
    }
    let after = |minutes| gitlab_clear_after(NOW.plus_minutes(minutes), NOW);
    assert_eq!(after(1), Some("30_minutes"));
    assert_eq!(after(30), Some("30_minutes"));
    assert_eq!(after(31), Some("3_hours"));
    assert_eq!(after(8 * 60), Some("8_hours"));
    assert_eq!(after(8 * 60 + 1), Some("1_day"));
    assert_eq!(after(2 * 1440), Some("3_days"));
    assert_eq!(after(7 * 1440), Some("7_days"));
    assert_eq!(after(30 * 1440), Some("30_days"));
    assert_eq!(after(30 * 1440 + 1), None, "nothing later is documented");
    // Half a minute past a boundary is past it: never before back-at.
    assert_eq!(
        gitlab_clear_after(NOW.plus_ms(30 * 60_000 + 30_000), NOW),
        Some("3_hours")
    );
    let intent = with(declared(Status::Ooo, "Holiday"), |d| {
        d.back_at = Some(NOW.plus_minutes(2 * 1440))
    });
    let b = body(&mirror_call(Service::Gitlab, API, &intent, &settings, NOW));
    assert_eq!(b["clear_status_after"], json!("3_days"));
}

#[test]
fn slack_each_status_with_emoji_table_and_expiration() {
    let mut settings = MirrorSettings::default();
    settings.emoji.set(Status::Away, "coffee".into());
    for status in Status::ALL {
        let call = mirror_call(
            Service::Slack,
            "https://slack.com/api",
            &declared(status, "Around"),
            &settings,
            NOW,
        );
        assert_eq!(
            (call.method, call.url.as_str()),
            ("POST", "https://slack.com/api/users.profile.set")
        );
        assert_eq!(
            body(&call)["profile"],
            json!({"status_text": "Around", "status_emoji": format!(":{}:", settings.emoji.get(status)), "status_expiration": 0}),
            "{status:?}"
        );
    }
    assert_eq!(
        settings.emoji.get(Status::Away),
        "coffee",
        "the user's table"
    );
    let intent = with(declared(Status::Focus, "x"), |d| {
        d.emoji = Some("🌴".into());
        d.expires_at = Some(NOW.plus_ms(1_500));
    });
    let profile = &body(&mirror_call(Service::Slack, API, &intent, &settings, NOW))["profile"];
    assert_eq!(
        profile["status_emoji"],
        json!(":palm_tree:"),
        "a known emoji carries"
    );
    assert_eq!(
        profile["status_expiration"],
        json!((NOW.millis() + 1_500) / 1000 + 1),
        "seconds, rounded up: never before the expiry"
    );
    // An emoji with no known name, or a table entry no service could read, falls back.
    let odd = with(declared(Status::Ooo, "x"), |d| d.emoji = Some("🦜".into()));
    settings.emoji.set(Status::Ooo, ":bad name:".into());
    let profile = &body(&mirror_call(Service::Slack, API, &odd, &settings, NOW))["profile"];
    assert_eq!(profile["status_emoji"], json!(":palm_tree:"));
}

#[test]
fn messages_are_cut_to_each_limit_with_an_ellipsis() {
    let long = "a".repeat(150);
    for service in Service::ALL {
        let s = shown_for(
            service,
            &declared(Status::Away, &long),
            &MirrorSettings::default(),
            NOW,
        )
        .unwrap();
        assert_eq!(
            s.message.chars().count(),
            service.max_message(),
            "{service:?}"
        );
        assert!(s.message.ends_with('…'));
    }
    let exact = "b".repeat(80);
    assert_eq!(cut_message(&exact, 80), exact, "exactly at the limit stays");
    // Each family emoji is one grapheme of 7 scalar values: never split, and the count that
    // GitHub applies (characters) stays within the limit.
    let families = "👨‍👩‍👧‍👦".repeat(20);
    let cut = cut_message(&families, 80);
    assert!(cut.chars().count() <= 80);
    assert_eq!(cut.trim_end_matches('…').chars().count() % 7, 0);
    assert_eq!(cut_message("  short  ", 10), "short");
}

#[test]
fn whoami_calls_and_logins() {
    let gh = whoami_call(Service::Github, "https://ghe.example/api");
    assert_eq!(gh.url, "https://ghe.example/api/graphql");
    assert_eq!(body(&gh), json!({"query": "query { viewer { login } }"}));
    let gl = whoami_call(Service::Gitlab, "https://gitlab.example");
    assert_eq!(
        (gl.method, gl.url.as_str(), gl.body),
        ("GET", "https://gitlab.example/api/v4/user", None)
    );
    let sl = whoami_call(Service::Slack, "https://slack.com/api");
    assert_eq!(sl.url, "https://slack.com/api/auth.test");

    let ok = |service, body: &str| whoami_outcome(service, &answer(200, body));
    assert_eq!(
        ok(
            Service::Github,
            r#"{"data":{"viewer":{"login":"octo-alice"}}}"#
        ),
        Ok("octo-alice".into())
    );
    assert_eq!(
        ok(Service::Gitlab, r#"{"id":1,"username":"alice"}"#),
        Ok("alice".into())
    );
    assert_eq!(
        ok(Service::Slack, r#"{"ok":true,"user":"alice","team":"T"}"#),
        Ok("alice".into())
    );
    assert_eq!(
        ok(Service::Slack, r#"{"ok":false,"error":"invalid_auth"}"#),
        Err(Outcome::Stop(
            "the token was refused: connect again with a new one".into()
        ))
    );
    // Hostile logins: none, empty, invisible, huge, or a bidi trick that is paired.
    for body in [
        r#"{"data":{"viewer":{"login":""}}}"#,
        r#"{"data":{"viewer":{"login":"\u200b"}}}"#,
        r#"{"data":null}"#,
        "<html>",
    ] {
        assert!(
            matches!(ok(Service::Github, body), Err(Outcome::Stop(_))),
            "{body}"
        );
    }
    let huge = format!(
        r#"{{"data":{{"viewer":{{"login":"{}"}}}}}}"#,
        "x".repeat(101)
    );
    assert!(ok(Service::Github, &huge).is_err());
    assert_eq!(
        ok(
            Service::Github,
            r#"{"data":{"viewer":{"login":"a\u202eb"}}}"#
        ),
        Ok("a\u{202e}b\u{202c}".into())
    );
}

fn with_retry(status: u16, body: &str, retry_after: &str) -> Result<Answer, NetError> {
    answer(status, body).map(|a| Answer {
        retry_after: Some(retry_after.into()),
        ..a
    })
}

#[test]
fn answers_read_as_done_retry_or_stop() {
    use Service::*;
    let gh_ok = r#"{"data":{"changeUserStatus":{"status":null}}}"#;
    assert_eq!(mirror_outcome(Github, &answer(200, gh_ok)), Outcome::Done);
    // Users API › Set your user status: the status kept, here the cleared one.
    let gl_ok = r#"{"emoji":null,"availability":"not_set","message":null,"message_html":"","clear_status_at":null}"#;
    assert_eq!(mirror_outcome(Gitlab, &answer(200, gl_ok)), Outcome::Done);
    // A 2xx of another shape (a proxy's, a hostile one) did not set the status.
    for body in [
        "{}",
        r#"{"pad":"xxxx"}"#,
        r#"[{"__proto__":{"polluted":true},"ok":"yes"},"</script>"]"#,
    ] {
        assert_eq!(
            mirror_outcome(Gitlab, &answer(200, body)),
            Outcome::Stop("GitLab answered with something StandIn cannot read".into()),
            "{body}"
        );
    }
    assert_eq!(
        mirror_outcome(Slack, &answer(200, r#"{"ok":true}"#)),
        Outcome::Done
    );
    let scope = r#"{"data":null,"errors":[{"type":"INSUFFICIENT_SCOPES","message":"…"}]}"#;
    assert_eq!(
        mirror_outcome(Github, &answer(200, scope)),
        Outcome::Stop("the token lacks the user scope".into())
    );
    assert_eq!(
        mirror_outcome(Gitlab, &answer(403, r#"{"error":"insufficient_scope"}"#)),
        Outcome::Stop("the token lacks the api scope".into())
    );
    assert_eq!(
        mirror_outcome(
            Slack,
            &answer(200, r#"{"ok":false,"error":"missing_scope"}"#)
        ),
        Outcome::Stop("the token lacks the users.profile:write scope".into())
    );
    for service in Service::ALL {
        assert!(
            matches!(mirror_outcome(service, &answer(401, "")), Outcome::Stop(w) if w.contains("401"))
        );
        assert!(
            matches!(mirror_outcome(service, &answer(403, "")), Outcome::Stop(w) if w.contains("403"))
        );
        assert_eq!(
            mirror_outcome(service, &with_retry(429, "", "120")),
            Outcome::Transient {
                why: "rate limited".into(),
                retry_after_ms: Some(120_000)
            }
        );
        assert!(matches!(
            mirror_outcome(service, &answer(502, "")),
            Outcome::Transient {
                retry_after_ms: None,
                ..
            }
        ));
        assert!(matches!(
            mirror_outcome(service, &Err(NetError::Timeout)),
            Outcome::Transient { .. }
        ));
        let hostile = Outcome::Stop(format!(
            "{} answered with something StandIn cannot read",
            service.label()
        ));
        assert_eq!(mirror_outcome(service, &Err(NetError::TooLarge)), hostile);
        assert!(matches!(
            mirror_outcome(service, &answer(404, "")),
            Outcome::Stop(_)
        ));
    }
    // GitHub's rate limits answered 403: a secondary one with Retry-After, the primary one
    // (and a secondary one without the header) saying so, to be tried again in a minute.
    let secondary = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
    assert_eq!(
        mirror_outcome(Github, &with_retry(403, secondary, "90")),
        Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: Some(90_000)
        }
    );
    assert_eq!(
        mirror_outcome(
            Github,
            &answer(
                403,
                r#"{"message":"API rate limit exceeded for user ID 1."}"#
            )
        ),
        Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: Some(60_000)
        }
    );
    // Any other 403 still stops: the token may not do it, and asking again will not help.
    assert_eq!(
        mirror_outcome(
            Github,
            &answer(
                403,
                r#"{"message":"Resource protected by organization SAML enforcement."}"#
            )
        ),
        Outcome::Stop("the token may not do this (403)".into())
    );
    // A hostile body is not shown: only Slack's snake_case codes are.
    assert_eq!(
        mirror_outcome(
            Slack,
            &answer(
                200,
                r#"{"ok":false,"error":"<img src=x onerror=alert(1)>"}"#
            )
        ),
        Outcome::Stop("Slack answered with something StandIn cannot read".into())
    );
    assert_eq!(
        mirror_outcome(
            Slack,
            &answer(200, r#"{"ok":false,"error":"profile_set_failed"}"#)
        ),
        Outcome::Stop("Slack refused it (profile_set_failed)".into())
    );
    assert!(matches!(
        mirror_outcome(Github, &answer(200, "[1,2")),
        Outcome::Stop(_)
    ));
    assert!(matches!(
        mirror_outcome(
            Github,
            &answer(200, r#"{"errors":[{"type":"RATE_LIMITED"}]}"#)
        ),
        Outcome::Transient { .. }
    ));
}

fn account() -> Account {
    Account::new(
        Service::Github,
        "https://api.github.com".into(),
        "octo-alice".into(),
        NOW,
    )
}

#[test]
fn retries_back_off_and_a_newer_declaration_replaces_a_pending_one() {
    let mut a = account();
    a.enqueue(declared(Status::Away, "one"), NOW);
    let sent = a.due(NOW).unwrap();
    let rate_limited = Outcome::Transient {
        why: "rate limited".into(),
        retry_after_ms: Some(480_000),
    };
    a.record(&sent, rate_limited, NOW);
    let retry = a.waiting().unwrap();
    assert_eq!(
        (retry.attempts, retry.next_attempt_at),
        (1, NOW.plus_ms(480_000))
    );
    assert_eq!(a.due(NOW.plus_ms(479_999)), None);
    let time = |t: Timestamp| format!("{}", (t.millis() - NOW.millis()) / 60_000);
    assert_eq!(
        report_line(&a, time),
        "GitHub status: rate limited, retrying at 8"
    );
    // Without Retry-After the outbox's backoff applies.
    a.record(
        &retry,
        Outcome::Transient {
            why: "x".into(),
            retry_after_ms: None,
        },
        NOW,
    );
    assert_eq!(
        a.waiting().unwrap().next_attempt_at,
        NOW.plus_ms(backoff_ms(1))
    );

    // A newer declaration while one is in flight: the old answer changes nothing.
    let in_flight = a.waiting().unwrap();
    a.enqueue(Intent::Clear, NOW);
    a.record(&in_flight, Outcome::Done, NOW);
    assert_eq!(a.waiting().unwrap().intent, Intent::Clear);
    assert_eq!(report_line(&a, time), "GitHub status: updating…");
    let clear = a.waiting().unwrap();
    a.record(&clear, Outcome::Done, NOW.plus_minutes(5));
    assert_eq!(a.pending, None);
    assert_eq!(report_line(&a, time), "GitHub status: cleared 5");
    // A failed read of the declared items' live state (issue 16) is said after it; stored
    // only while there is something to say.
    a.live = "rate limited".into();
    assert_eq!(
        report_line(&a, time),
        "GitHub status: cleared 5; item states not read: rate limited"
    );
    a.live.clear();
    assert!(!serde_json::to_string(&a).unwrap().contains("\"live\""));
}

#[test]
fn stops_are_final_and_retries_give_up() {
    let mut a = account();
    a.enqueue(declared(Status::Away, "x"), NOW);
    let sent = a.waiting().unwrap();
    a.record(
        &sent,
        Outcome::Stop("the token lacks the user scope".into()),
        NOW,
    );
    assert_eq!(a.pending, None, "a 401/403 is not retried");
    assert_eq!(
        report_line(&a, |_| String::new()),
        "GitHub status: not updated: the token lacks the user scope"
    );
    a.enqueue(declared(Status::Away, "x"), NOW);
    for _ in 0..MAX_ATTEMPTS {
        let sent = a.waiting().unwrap();
        a.record(
            &sent,
            Outcome::Transient {
                why: "GitHub is unavailable (503)".into(),
                retry_after_ms: None,
            },
            NOW,
        );
    }
    assert_eq!(a.pending, None);
    assert!(report_line(&a, |_| String::new()).ends_with("gave up after 8 tries"));
    a.resume();
    assert!(
        report_line(&a, |_| String::new()).ends_with("gave up after 8 tries"),
        "nothing waited"
    );
    a.enqueue(declared(Status::Away, "y"), NOW);
    a.withdrawn("api.github.com");
    assert_eq!(
        report_line(&a, |_| String::new()),
        "GitHub status: not updated: permission for api.github.com withdrawn"
    );
    assert_eq!(a.due(NOW), None, "nothing is sent without the permission");
    a.resume();
    assert!(a.due(NOW).is_some(), "sent once the permission is back");
}

#[test]
fn previews_say_what_each_service_shows() {
    let settings = MirrorSettings {
        focus_busy: true,
        ..MirrorSettings::default()
    };
    let intent = with(declared(Status::Focus, "Parser"), |d| {
        d.back_at = Some(NOW.plus_minutes(60))
    });
    let time = |_| "17:00".to_string();
    assert_eq!(
        preview(Service::Github, &intent, &settings, NOW, time),
        ":headphones: Parser · busy · until 17:00"
    );
    assert_eq!(
        preview(
            Service::Slack,
            &declared(Status::Online, "Here"),
            &settings,
            NOW,
            time
        ),
        ":large_green_circle: Here"
    );
    assert_eq!(
        preview(Service::Gitlab, &Intent::Clear, &settings, NOW, time),
        "no status"
    );
}

#[test]
fn tokens_go_in_each_services_header() {
    assert_eq!(
        Service::Github.auth_header("ghp_x"),
        ("Authorization", "Bearer ghp_x".to_string())
    );
    assert_eq!(
        Service::Gitlab.auth_header("glpat-x"),
        ("PRIVATE-TOKEN", "glpat-x".to_string())
    );
    assert_eq!(
        Service::Slack.auth_header("xoxp-x"),
        ("Authorization", "Bearer xoxp-x".to_string())
    );
}

#[test]
fn stored_values_read_back() {
    let mut a = account();
    a.enqueue(declared(Status::Away, "x"), NOW);
    a.report = Some(Report::Retrying);
    a.why = "rate limited".into();
    let text = serde_json::to_string(&vec![a.clone()]).unwrap();
    assert_eq!(
        crate::wire::from_str::<Vec<Account>>(&text).unwrap(),
        vec![a]
    );
    let settings: MirrorSettings = crate::wire::from_str("{}").unwrap();
    assert_eq!(settings.emoji, EmojiTable::default());
    assert_eq!(settings, MirrorSettings::default());
}

/// An answer with the `X-OAuth-Scopes` header as GitHub or Slack sends it.
fn scoped(body: &str, header: Option<&str>) -> Result<Answer, NetError> {
    answer(200, body).map(|a| Answer {
        oauth_scopes: header.map(str::to_string),
        ..a
    })
}

#[test]
fn connect_refuses_a_token_whose_listed_scopes_lack_the_one_needed() {
    use Service::*;
    let viewer = r#"{"data":{"viewer":{"login":"octo-alice"}}}"#;
    let check = |service, whoami: &Result<Answer, NetError>| scope_check(service, whoami, None);
    // GitHub classic tokens: "X-OAuth-Scopes: repo, user" (Scopes for OAuth apps).
    assert_eq!(check(Github, &scoped(viewer, Some("repo, user"))), Ok(()));
    assert_eq!(check(Github, &scoped(viewer, Some("user"))), Ok(()));
    let lacks_user = Err("This token lacks the user scope: create one with it.".to_string());
    assert_eq!(
        check(Github, &scoped(viewer, Some("repo, read:user"))),
        lacks_user
    );
    assert_eq!(
        check(Github, &scoped(viewer, Some("user:email, user:follow"))),
        lacks_user,
        "user's parts do not write the status"
    );
    assert_eq!(
        check(Github, &scoped(viewer, Some(""))),
        lacks_user,
        "a classic token with no scope sends the header empty"
    );
    // Fine-grained and GitHub App tokens send no header: nothing to judge, as before.
    assert_eq!(check(Github, &scoped(viewer, None)), Ok(()));
    // Slack: "x-oauth-scopes: identify,users.profile:write".
    let auth = r#"{"ok":true,"user":"alice"}"#;
    assert_eq!(
        check(Slack, &scoped(auth, Some("identify,users.profile:write"))),
        Ok(())
    );
    assert_eq!(
        check(Slack, &scoped(auth, Some("identify,users.profile:read"))),
        Err("This token lacks the users.profile:write scope: create one with it.".into())
    );
    assert_eq!(check(Slack, &scoped(auth, None)), Ok(()));
    // A header on another service's answer is not what it goes by.
    assert_eq!(check(Gitlab, &scoped("{}", Some("read_user"))), Ok(()));
}

#[test]
fn gitlab_scopes_come_from_the_tokens_self_and_fall_back_without_it() {
    use Service::Gitlab;
    let call = scopes_call(Gitlab, "https://gitlab.example").expect("GitLab asks");
    assert_eq!(
        (call.method, call.url.as_str(), call.body),
        (
            "GET",
            "https://gitlab.example/api/v4/personal_access_tokens/self",
            None
        )
    );
    assert_eq!(scopes_call(Service::Github, API), None);
    assert_eq!(scopes_call(Service::Slack, API), None);
    let user = answer(200, r#"{"id":1,"username":"alice"}"#);
    let check = |scopes: Result<Answer, NetError>| scope_check(Gitlab, &user, Some(&scopes));
    // Personal access tokens API › Get details on a personal access token.
    let token = |scopes: &str| {
        answer(
            200,
            &format!(
                r#"{{"id":4,"name":"StandIn","revoked":false,"scopes":{scopes},"user_id":1,"active":true}}"#
            ),
        )
    };
    assert_eq!(check(token(r#"["api"]"#)), Ok(()));
    assert_eq!(check(token(r#"["read_user","api"]"#)), Ok(()));
    let lacks_api = Err("This token lacks the api scope: create one with it.".to_string());
    assert_eq!(check(token(r#"["read_user"]"#)), lacks_api);
    assert_eq!(check(token(r#"["read_api","read_repository"]"#)), lacks_api);
    assert_eq!(
        check(token(r#"["write_repository","read_service_ping"]"#)),
        lacks_api
    );
    // Names GitLab does not document for a legacy token (a fine-grained one's), or none:
    // not judged here.
    assert_eq!(check(token(r#"["read_user","user:status:write"]"#)), Ok(()));
    assert_eq!(check(token("[]")), Ok(()));
    // An older self-managed GitLab has no `self` (404); a failure or an odd answer there
    // says nothing either: connected as before, the first mirror tells.
    assert_eq!(check(answer(404, r#"{"error":"404 Not Found"}"#)), Ok(()));
    assert_eq!(
        check(answer(403, r#"{"error":"insufficient_scope"}"#)),
        Ok(())
    );
    assert_eq!(check(answer(500, "")), Ok(()));
    assert_eq!(check(Err(NetError::Timeout)), Ok(()));
    assert_eq!(check(answer(200, "<html>")), Ok(()));
    assert_eq!(check(answer(200, r#"{"scopes":"api"}"#)), Ok(()));
    assert_eq!(
        scope_check(Gitlab, &user, None),
        Ok(()),
        "without the answer: nothing to judge"
    );
}
