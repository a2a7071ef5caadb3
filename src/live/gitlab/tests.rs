use super::*;
use crate::http::tests::answer;
use crate::time::rfc3339;

fn at() -> Timestamp {
    rfc3339("2026-12-05T09:00:00Z")
}

#[test]
fn one_request_per_project_and_kind() {
    let refs = [
        "gitlab.com/g/p/-/merge_requests/3",
        "gitlab.com/g/p/-/merge_requests/1",
        "gitlab.com/g/p/-/issues/7",
        "gitlab.com/g/sub/q/-/merge_requests/2",
        "gitlab.com/g/pp/-/merge_requests/4",
        "gitlab.example.org/g/p/-/merge_requests/9",
        "gitlab.com/g/p/-/merge_requests/x",
        "gitlab.com/g/p/-/pipelines/5",
        "gitlab.com/p/-/issues/5",
        "github.com/o/r/pull/1",
    ];
    let calls = calls("https://gitlab.com", &refs);
    let urls: Vec<&str> = calls.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://gitlab.com/api/v4/projects/g%2Fp/merge_requests?per_page=100&iids[]=3&iids[]=1",
            "https://gitlab.com/api/v4/projects/g%2Fp/issues?per_page=100&iids[]=7",
            "https://gitlab.com/api/v4/projects/g%2Fsub%2Fq/merge_requests?per_page=100&iids[]=2",
            "https://gitlab.com/api/v4/projects/g%2Fpp/merge_requests?per_page=100&iids[]=4",
        ]
    );
    assert_eq!(
        calls[0].items,
        [
            (3, "gitlab.com/g/p/-/merge_requests/3".to_string()),
            (1, "gitlab.com/g/p/-/merge_requests/1".to_string())
        ]
    );
    // A self-managed instance under a relative URL root.
    let corp = super::calls(
        "https://corp.example/gitlab",
        &["corp.example/gitlab/team/app/-/issues/5"],
    );
    assert_eq!(
        corp[0].url,
        "https://corp.example/gitlab/api/v4/projects/team%2Fapp/issues?per_page=100&iids[]=5"
    );
}

#[test]
fn more_than_a_page_of_numbers_takes_another_request() {
    let refs: Vec<String> = (1..=150)
        .map(|n| format!("gitlab.com/g/p/-/merge_requests/{n}"))
        .collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    let calls = calls("https://gitlab.com", &refs);
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[0].items.len(), calls[1].items.len()), (100, 50));
}

fn call(kind: Kind) -> Call {
    Call {
        url: String::new(),
        kind,
        items: (1..=6).map(|n| (n, format!("g/p/{n}"))).collect(),
    }
}

#[test]
fn merge_requests_read_in_every_state() {
    let body = r#"[
      {"iid": 1, "title": "Speed up <script>", "state": "merged", "draft": false, "labels": ["ci"],
       "merged_at": "2026-12-05T03:12:00.000Z", "merge_user": {"username": "bob"}, "merged_by": {"username": "old"},
       "assignees": [{"username": "cleo"}], "reviewers": [{"username": "ben"}], "detailed_merge_status": "not_open"},
      {"iid": 2, "state": "opened", "draft": true, "labels": [], "assignees": [], "reviewers": [],
       "detailed_merge_status": "ci_still_running"},
      {"iid": 3, "state": "locked", "draft": false, "detailed_merge_status": "ci_must_pass"},
      {"iid": 4, "state": "closed", "closed_at": "2026-12-05T01:00:00Z", "closed_by": {"username": "dan"},
       "detailed_merge_status": "requested_changes"},
      {"iid": 5, "state": "opened", "detailed_merge_status": "not_approved", "merged_by": null},
      {"iid": 6, "state": "archived"},
      {"iid": 99, "state": "merged"}
    ]"#;
    let seen = read(&call(Kind::Change), &answer(200, body), at()).unwrap();
    let get = |n: &str| &seen.iter().find(|(r, _)| r == n).unwrap().1;
    assert_eq!(
        seen.len(),
        5,
        "unknown states and items not asked are left out"
    );
    let merged = get("g/p/1");
    assert_eq!(merged.lifecycle, Lifecycle::Merged);
    assert_eq!(merged.ended_by.as_deref(), Some("bob"));
    assert_eq!(merged.ended_at, Some(rfc3339("2026-12-05T03:12:00Z")));
    assert_eq!(merged.title.as_deref(), Some("Speed up <script>"));
    assert_eq!(merged.labels, Some(vec!["ci".into()]));
    assert_eq!(merged.assignees, Some(vec!["cleo".into()]));
    assert_eq!(merged.reviewers, Some(vec!["ben".into()]));
    assert_eq!(merged.source, Source::Gitlab);
    assert_eq!(get("g/p/2").lifecycle, Lifecycle::Draft);
    assert_eq!(get("g/p/2").checks, Some(Checks::Pending));
    assert_eq!(get("g/p/3").lifecycle, Lifecycle::Open, "locked: merging");
    assert_eq!(get("g/p/3").checks, Some(Checks::Failing));
    assert_eq!(get("g/p/4").lifecycle, Lifecycle::Closed);
    assert_eq!(get("g/p/4").ended_by.as_deref(), Some("dan"));
    assert_eq!(get("g/p/4").review, Some(Review::ChangesRequested));
    assert_eq!(get("g/p/5").review, Some(Review::Required));
    assert_eq!(
        (get("g/p/5").checks, get("g/p/5").assignees.clone()),
        (None, None)
    );
}

#[test]
fn issues_read_open_and_closed() {
    let body = r#"[
      {"iid": 1, "title": "Crash", "state": "closed", "closed_at": "2026-12-05T01:00:00Z", "closed_by": null,
       "labels": null, "assignees": [{"username": "Eve"}, {"username": "eve"}]},
      {"iid": 2, "state": "opened", "detailed_merge_status": "ci_must_pass"},
      {"iid": 3, "state": "merged"}
    ]"#;
    let seen = read(&call(Kind::Issue), &answer(200, body), at()).unwrap();
    assert_eq!(seen.len(), 2, "an issue is never merged");
    assert_eq!(seen[0].1.kind, Kind::Issue);
    assert_eq!(seen[0].1.lifecycle, Lifecycle::Closed);
    assert_eq!(seen[0].1.assignees, Some(vec!["Eve".into()]));
    assert_eq!(seen[0].1.labels, Some(vec![]));
    assert_eq!(seen[1].1.checks, None, "issues have no CI");
}

#[test]
fn failures_say_why_and_unseen_projects_are_absent() {
    assert_eq!(
        read(
            &call(Kind::Change),
            &answer(404, r#"{"message":"404 Project Not Found"}"#),
            at()
        ),
        Ok(vec![])
    );
    let why = |status: u16, body: &str| {
        read(&call(Kind::Change), &answer(status, body), at())
            .unwrap_err()
            .why
    };
    assert!(why(401, "{}").contains("401"));
    assert_eq!(
        why(403, r#"{"error":"insufficient_scope"}"#),
        "the token lacks the api scope"
    );
    for bad in [r#"{"message": "hi"}"#, "<html>", r#"[{"iid": "one"}]"#] {
        assert_eq!(
            why(200, bad),
            "GitLab answered with something StandIn cannot read",
            "{bad}"
        );
    }
}
