//! Live state from a connected GitLab account (gitlab.com or a self-managed instance): GitLab's
//! REST API lists a project's merge requests or issues by their numbers in one request
//! (`GET /projects/:id/merge_requests?iids[]=…`, `…/issues?iids[]=…`; Merge requests API ›
//! "List project merge requests", Issues API › "List project issues"), so the team's items
//! cost one request per project and kind, 100 numbers at a time (`per_page`'s maximum).
//! Pure; the worker (`wasm::live`) sends them with the account's token (`PRIVATE-TOKEN`).
//!
//! What the list gives: `state` (`opened`, `closed`, `merged`, `locked`: a merge in progress,
//! read as open), `draft`, `title`, `labels` (names), `merged_at` and `merge_user`, `closed_at`
//! and `closed_by`, `assignees`, `reviewers`. CI is not in the list: `head_pipeline` is only in
//! the single merge request's answer (one more request per item). Its `detailed_merge_status`
//! says `ci_still_running` (read as CI running) and `ci_must_pass` (a pipeline the project
//! requires has not passed: read as failing), `not_approved` and `requested_changes` (read as
//! the review); it gives one reason at a time and nothing on a project that does not require
//! CI, so passing CI and an approval are never claimed from it.

use super::reply::Part;
use super::{handles, Checks, Kind, Lifecycle, Observed, Read, Review, Source, Unread};
use crate::http::{Answer, NetError};
use crate::mirror::{http_outcome, Service};
use crate::time::Timestamp;

/// `per_page`'s maximum: more numbers than this take another request.
const PAGE: usize = 100;

/// One list request: its URL and the items it asks about (number, canonical reference). A
/// project's id in the URL is its path with `/` encoded (`group%2Fproject`): its segments are
/// letters, digits, `_`, `-` and `.` only, so `/` is the one character to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub url: String,
    pub kind: Kind,
    pub items: Vec<(u64, String)>,
}

/// `ROOT/project/path/-/merge_requests/N` or `…/-/issues/N` on the account whose API base is
/// `api` (`https://gitlab.com`, `https://corp.example/gitlab`).
fn parse<'a>(root: &str, item_ref: &'a str) -> Option<(&'a str, Kind, u64)> {
    let path = item_ref.strip_prefix(root)?.strip_prefix('/')?;
    let (project, route) = path.split_once("/-/")?;
    let (kind, number) = match route.split_once('/')? {
        ("merge_requests", n) => (Kind::Change, n),
        ("issues", n) => (Kind::Issue, n),
        _ => return None,
    };
    let valid = project.contains('/')
        && project
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b));
    let number = number.parse().ok().filter(|_| valid)?;
    Some((project, kind, number))
}

/// The requests for the GitLab items among `refs` on the account at `api`.
pub fn calls(api: &str, refs: &[&str]) -> Vec<Call> {
    let Some((_, root)) = api.split_once("://") else {
        return Vec::new();
    };
    let mut calls: Vec<Call> = Vec::new();
    // The project's path beside each call, to group by; no sort, so no sort's code.
    let mut of: Vec<&str> = Vec::new();
    for item_ref in refs {
        let Some((project, kind, number)) = parse(root, item_ref) else {
            continue;
        };
        let open = (0..calls.len())
            .find(|&i| of[i] == project && calls[i].kind == kind && calls[i].items.len() < PAGE);
        let at = match open {
            Some(at) => at,
            None => {
                let route = match kind {
                    Kind::Change => "merge_requests",
                    Kind::Issue => "issues",
                };
                calls.push(Call {
                    url: format!(
                        "{api}/api/v4/projects/{}/{route}?per_page={PAGE}",
                        project.replace('/', "%2F")
                    ),
                    kind,
                    items: Vec::new(),
                });
                of.push(project);
                calls.len() - 1
            }
        };
        calls[at].url.push_str(&format!("&iids[]={number}"));
        calls[at].items.push((number, (*item_ref).to_string()));
    }
    calls
}

fn names(users: Option<Vec<Part>>) -> Option<Vec<String>> {
    users.map(|u| handles(u.into_iter().filter_map(Part::handle).collect()))
}

fn observed(kind: Kind, item: Part, at: Timestamp) -> Option<Observed> {
    let draft = item.is_draft == Some(true);
    let lifecycle = match item.state.as_deref()? {
        "opened" | "locked" if draft => Lifecycle::Draft,
        "opened" | "locked" => Lifecycle::Open,
        "merged" if kind == Kind::Change => Lifecycle::Merged,
        "closed" => Lifecycle::Closed,
        _ => return None,
    };
    let mut o = Observed::new(kind, lifecycle, Source::Gitlab, at);
    o.title = item.title;
    o.labels = Some(item.labels);
    o.assignees = names(item.assignees);
    if kind == Kind::Change {
        o.reviewers = names(item.reviewers);
        (o.checks, o.review) = match item.merge_status.as_deref() {
            Some("ci_still_running") => (Some(Checks::Pending), None),
            Some("ci_must_pass") => (Some(Checks::Failing), None),
            Some("not_approved") => (None, Some(Review::Required)),
            Some("requested_changes") => (None, Some(Review::ChangesRequested)),
            _ => (None, None),
        };
    }
    (o.ended_at, o.ended_by) = match lifecycle {
        Lifecycle::Merged => (
            item.merged_at,
            item.merge_user.or(item.merged_by).and_then(|u| u.handle()),
        ),
        Lifecycle::Closed => (item.closed_at, item.closed_by.and_then(|u| u.handle())),
        Lifecycle::Open | Lifecycle::Draft => (None, None),
    };
    Some(o)
}

/// Reads the answer to `call`, seen at `at`. A project the token cannot see answers 404: its
/// items are absent, the account is fine.
pub fn read(call: &Call, answer: &Result<Answer, NetError>, at: Timestamp) -> Read {
    if matches!(answer, Ok(a) if a.status == 404) {
        return Ok(Vec::new());
    }
    if let Some(outcome) = http_outcome(Service::Gitlab, answer) {
        return Err(Unread::from(outcome));
    }
    let listed: Vec<Part> = match answer {
        Ok(answer) => answer.json().ok(),
        Err(_) => None,
    }
    .ok_or_else(|| Unread {
        why: "GitLab answered with something StandIn cannot read".into(),
        retry_after_ms: None,
    })?;
    let mut seen = Vec::new();
    for item in listed {
        let Some((_, item_ref)) = call.items.iter().find(|(n, _)| Some(*n) == item.iid) else {
            continue; // not asked for: a proxy's or a newer API's extra
        };
        if let Some(o) = observed(call.kind, item, at) {
            seen.push((item_ref.clone(), o));
        }
    }
    Ok(seen)
}

#[cfg(test)]
mod tests;
