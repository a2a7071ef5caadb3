use super::*;
use crate::http::tests::answer;
use crate::time::rfc3339;

const AT: &str = "2026-12-05T09:00:00Z";

fn at() -> Timestamp {
    rfc3339(AT)
}

#[test]
fn items_are_the_accounts_pull_requests_and_issues() {
    let refs = [
        "github.com/acme/api/pull/12",
        "github.com/acme/api/issues/3",
        "github.com/acme/api/pull/new",
        "github.com/acme/api",
        "github.example.com/acme/app/pull/7",
        "gitlab.com/g/p/-/merge_requests/1",
        "github.community/acme/api/pull/1",
    ];
    assert_eq!(
        items("https://api.github.com", &refs),
        [
            "github.com/acme/api/pull/12",
            "github.com/acme/api/issues/3"
        ]
    );
    // GitHub Enterprise Server: the API at /api on the host itself.
    assert_eq!(
        items("https://github.example.com/api", &refs),
        ["github.example.com/acme/app/pull/7"]
    );
    assert_eq!(
        items("http://127.0.0.1:8123", &["127.0.0.1:8123/o/r/pull/1"]),
        ["127.0.0.1:8123/o/r/pull/1"]
    );
    assert!(items("not a url", &refs).is_empty());
}

#[test]
fn one_query_asks_every_item_by_url_variable() {
    let items = [
        "github.com/acme/api/pull/12",
        "github.com/acme/api/issues/3",
    ];
    let asked = batch("https://api.github.com", &items).unwrap();
    assert!(asked
        .query
        .starts_with("query Items($u0: URI!, $u1: URI!) {"));
    assert!(asked
        .query
        .contains("i0: resource(url: $u0) { ...Item } i1: resource(url: $u1) { ...Item }"));
    assert!(asked.query.ends_with(ITEM));
    let json = serde_json::to_value(&asked).unwrap();
    assert_eq!(
        json["variables"],
        serde_json::json!({
            "u0": "https://github.com/acme/api/pull/12",
            "u1": "https://github.com/acme/api/issues/3"
        })
    );
    // The URL is a variable, never spliced into the query: no quoting to get wrong.
    assert!(!asked.query.contains("acme"));
    assert_eq!(batch("https://api.github.com", &[]), None);
    let local = batch("http://127.0.0.1:8123", &["127.0.0.1:8123/o/r/pull/1"]).unwrap();
    assert_eq!(local.variables.0, ["http://127.0.0.1:8123/o/r/pull/1"]);
}

#[test]
fn a_team_of_30_with_5_items_each_fits_one_query() {
    let refs: Vec<String> = (0..150)
        .map(|i| format!("github.com/acme/api/pull/{i}"))
        .collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    let asked = batch(
        "https://api.github.com",
        &items("https://api.github.com", &refs),
    )
    .unwrap();
    assert_eq!(asked.variables.0.len(), 150);
    const { assert!(150 * NODES_PER_ITEM < 500_000) };
    // Each connection asks for at most 100 nodes.
    for part in asked
        .query
        .split("first: ")
        .skip(1)
        .chain(asked.query.split("last: ").skip(1))
    {
        let n: usize = part
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=100).contains(&n), "{n}");
    }
    // Well under the 2 MiB a request may be, and the nodes per item are what the query asks.
    assert!(serde_json::to_string(&asked).unwrap().len() < 64 * 1024);
    let asked: usize = ["first: 20", "first: 10", "last: 1"]
        .iter()
        .map(|a| {
            let n: usize = a.rsplit(' ').next().unwrap().parse().unwrap();
            n * ITEM
                .split("... on Issue")
                .next()
                .unwrap()
                .matches(a)
                .count()
        })
        .sum();
    assert_eq!(asked, NODES_PER_ITEM);
}

const PR: &str = r#"{
  "__typename": "PullRequest", "title": "Fix <b>login</b>", "state": "MERGED", "isDraft": false,
  "reviewDecision": "APPROVED", "mergedAt": "2026-12-05T03:12:00Z", "closedAt": "2026-12-05T03:12:00Z",
  "mergedBy": {"login": "bob"},
  "labelNodes": {"nodes": [{"name": "bug"}, {"name": "<img src=x>"}]},
  "assigneeNodes": {"nodes": [{"login": "carol"}, {"login": "alice"}]},
  "reviewRequests": {"nodes": [{"requestedReviewer": {"login": "dan"}}, {"requestedReviewer": {"slug": "ui"}}, {"requestedReviewer": null}]},
  "reviews": {"nodes": [{"submittedAt": "2026-12-05T02:00:00Z"}]},
  "commits": {"nodes": [{"commit": {"statusCheckRollup": {"state": "SUCCESS"}}}]},
  "timelineItems": {"nodes": []}
}"#;

fn reply(data: &str) -> Result<Answer, NetError> {
    answer(200, data)
}

#[test]
fn a_merged_pull_request_reads_whole() {
    let body = format!(r#"{{"data": {{"i0": {PR}}}}}"#);
    let seen = read(&["github.com/acme/api/pull/12"], &reply(&body), at()).unwrap();
    assert_eq!(seen.len(), 1);
    let (item, o) = &seen[0];
    assert_eq!(item, "github.com/acme/api/pull/12");
    assert_eq!(o.kind, Kind::Change);
    assert_eq!(o.lifecycle, Lifecycle::Merged);
    assert_eq!(o.title.as_deref(), Some("Fix <b>login</b>"));
    assert_eq!(o.labels, Some(vec!["bug".into(), "<img src=x>".into()]));
    assert_eq!(o.assignees, Some(vec!["alice".into(), "carol".into()]));
    assert_eq!(o.reviewers, Some(vec!["dan".into(), "ui".into()]));
    assert_eq!(o.review, Some(Review::Approved));
    assert_eq!(o.reviewed_at, Some(rfc3339("2026-12-05T02:00:00Z")));
    assert_eq!(o.checks, Some(Checks::Passing));
    assert_eq!(o.ended_at, Some(rfc3339("2026-12-05T03:12:00Z")));
    assert_eq!(o.ended_by.as_deref(), Some("bob"));
    assert_eq!((o.source, o.observed_at), (Source::Github, at()));
}

#[test]
fn draft_open_closed_and_issues() {
    let body = r#"{"data": {
      "i0": {"__typename": "PullRequest", "state": "OPEN", "isDraft": true, "reviewDecision": null,
             "commits": {"nodes": [{"commit": {"statusCheckRollup": null}}]}},
      "i1": {"__typename": "PullRequest", "state": "OPEN", "isDraft": false, "reviewDecision": "CHANGES_REQUESTED",
             "commits": {"nodes": [{"commit": {"statusCheckRollup": {"state": "ERROR"}}}]}},
      "i2": {"__typename": "PullRequest", "state": "CLOSED", "closedAt": "2026-12-05T01:00:00Z",
             "timelineItems": {"nodes": [{"actor": {"login": "erin"}}]}},
      "i3": {"__typename": "Issue", "issueState": "CLOSED", "closedAt": "2026-12-05T01:30:00Z",
             "assigneeNodes": {"nodes": []}, "timelineItems": {"nodes": [{"actor": null}]}},
      "i4": {"__typename": "Issue", "issueState": "OPEN", "labelNodes": {"nodes": null}}
    }}"#;
    let items = [
        "a/o/r/pull/1",
        "a/o/r/pull/2",
        "a/o/r/pull/3",
        "a/o/r/issues/4",
        "a/o/r/issues/5",
    ];
    let seen = read(&items, &reply(body), at()).unwrap();
    let get = |i: usize| &seen.iter().find(|(r, _)| r == items[i]).unwrap().1;
    assert_eq!(get(0).lifecycle, Lifecycle::Draft);
    assert_eq!((get(0).review, get(0).checks), (None, None));
    assert_eq!(get(1).lifecycle, Lifecycle::Open);
    assert_eq!(get(1).review, Some(Review::ChangesRequested));
    assert_eq!(get(1).checks, Some(Checks::Failing));
    assert_eq!(get(2).lifecycle, Lifecycle::Closed);
    assert_eq!(get(2).ended_by.as_deref(), Some("erin"));
    assert_eq!(get(3).kind, Kind::Issue);
    assert_eq!(get(3).lifecycle, Lifecycle::Closed);
    assert_eq!(get(3).ended_by, None, "a deleted user closed it");
    assert_eq!(get(3).assignees, Some(vec![]));
    assert_eq!(get(4).labels, Some(vec![]));
    assert_eq!(get(4).assignees, None, "not asked: unknown, not empty");
}

#[test]
fn partial_answers_keep_what_github_could_answer() {
    // GitHub answers 200 with the items it found and an error per alias it could not.
    let body = format!(
        r#"{{"data": {{"i0": null, "i1": {PR}, "i2": null}},
            "errors": [{{"type": "NOT_FOUND", "path": ["i0"], "message": "Could not resolve"}},
                       {{"type": "FORBIDDEN", "path": ["i2"], "message": "SAML"}}]}}"#
    );
    let seen = read(
        &["a/o/r/pull/1", "a/o/r/pull/2", "a/o/r/pull/3"],
        &reply(&body),
        at(),
    );
    let seen = seen.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "a/o/r/pull/2");
}

#[test]
fn unknown_values_and_types_are_read_tolerantly() {
    let body = r#"{"data": {
      "i0": {"__typename": "PullRequest", "state": "QUEUED"},
      "i1": {"__typename": "PullRequest", "state": "OPEN", "reviewDecision": "VIBES",
             "commits": {"nodes": [null, {"commit": {"statusCheckRollup": {"state": "SPARKLING"}}}]},
             "futureField": {"x": 1}},
      "i2": {"__typename": "Repository"},
      "i9": {"__typename": "Issue", "issueState": "OPEN"},
      "other": {"__typename": "Issue", "issueState": "OPEN"}
    }}"#;
    let seen = read(&["a/1", "a/2", "a/3"], &reply(body), at()).unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "a/2");
    assert_eq!((seen[0].1.review, seen[0].1.checks), (None, None));
}

#[test]
fn a_failed_query_says_why_once_for_the_account() {
    let why = |r: Read| r.unwrap_err().why;
    let rate = r#"{"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}"#;
    assert_eq!(why(read(&["a/1"], &reply(rate), at())), "rate limited");
    let scope = r#"{"data": null, "errors": [{"type": "INSUFFICIENT_SCOPES"}]}"#;
    assert_eq!(
        why(read(&["a/1"], &reply(scope), at())),
        "the token lacks the repo scope"
    );
    let invalid = r#"{"errors": [{"message": "Field 'x' doesn't exist"}]}"#;
    assert_eq!(
        why(read(&["a/1"], &reply(invalid), at())),
        "GitHub refused the query"
    );
    for bad in ["<html>", "[1,2]", r#"{"data": {"i0": {"title": 5}}}"#] {
        assert_eq!(
            why(read(&["a/1"], &reply(bad), at())),
            "GitHub answered with something StandIn cannot read",
            "{bad}"
        );
    }
    assert!(why(read(&["a/1"], &answer(401, "{}"), at())).contains("401"));
    let limited = Ok(Answer {
        status: 429,
        retry_after: Some("120".into()),
        etag: None,
        oauth_scopes: None,
        body: String::new(),
    });
    let unread = read(&["a/1"], &limited, at()).unwrap_err();
    assert_eq!(unread.retry_after_ms, Some(120_000));
    assert_eq!(
        why(read(&["a/1"], &Err(NetError::Timeout), at())),
        "no answer in time"
    );
}
