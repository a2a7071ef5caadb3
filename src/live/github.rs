//! Live state from a connected GitHub account (github.com or a GitHub Enterprise Server host):
//! one GraphQL request for every GitHub item in the team's current declarations, each item an
//! aliased `resource(url:)` with its URL as a variable, and the answer read into
//! [`Observed`]s. Pure; the worker (`wasm::live`) sends it with the account's token.
//!
//! **One request fits.** GitHub's GraphQL limits (docs: "Rate limits and node limits for the
//! GraphQL API") are per request: at most 500,000 nodes, each connection asked for at most 100
//! (`first`/`last`), and a cost in points out of 5,000 an hour. An item here asks for at most
//! [`NODES_PER_ITEM`] nodes (labels 20, assignees 10, review requests 10, and one each of the
//! last opinionated review, the last commit and the last closing event), so a team of 30 with
//! 5 items each (150 items) asks for 6,450 nodes, and 11,000 items would still fit. The cost is
//! one request per connection per item, summed and divided by 100: at most 9 points for those
//! 150 items, so a viewer refreshing every minute spends at most 540 of the 5,000 an hour. No
//! limit calls for a second request.

use super::reply::{Aliases, Nodes, Part};
use super::{handles, Checks, Kind, Lifecycle, Observed, Read, Review, Source, Unread};
use crate::http::{Answer, NetError};
use crate::mirror::{has_error, http_outcome, GraphqlError, Service};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize, Serializer};

/// The nodes one item may ask for (see the module's note on GitHub's limits).
pub const NODES_PER_ITEM: usize = 20 + 10 + 10 + 1 + 1 + 1;

/// What is asked of each item. `state` means a pull request's or an issue's (different enum
/// types, so the issue's is aliased: GraphQL refuses one response name with two types);
/// labels and assignees are aliased so their connections do not share a name with GitLab's
/// lists of another shape (`reply::Part`).
const ITEM: &str = "fragment Item on UniformResourceLocatable { __typename \
... on PullRequest { title state isDraft reviewDecision mergedAt closedAt mergedBy { login } \
labelNodes: labels(first: 20) { nodes { name } } assigneeNodes: assignees(first: 10) { nodes { login } } \
reviewRequests(first: 10) { nodes { requestedReviewer { ... on User { login } ... on Bot { login } \
... on Mannequin { login } ... on Team { slug } } } } \
reviews(last: 1, states: [APPROVED, CHANGES_REQUESTED]) { nodes { submittedAt } } \
commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } \
timelineItems(last: 1, itemTypes: [CLOSED_EVENT]) { nodes { ... on ClosedEvent { actor { login } } } } } \
... on Issue { title issueState: state closedAt labelNodes: labels(first: 20) { nodes { name } } \
assigneeNodes: assignees(first: 10) { nodes { login } } \
timelineItems(last: 1, itemTypes: [CLOSED_EVENT]) { nodes { ... on ClosedEvent { actor { login } } } } } }";

/// Where the account's items live: `github.com` for `https://api.github.com`, the host (and
/// port) for GitHub Enterprise Server's `https://HOST/api`. With the scheme to put back.
fn site(api: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = api.split_once("://")?;
    let root = match rest {
        "api.github.com" => "github.com",
        other => other.strip_suffix("/api").unwrap_or(other),
    };
    Some((scheme, root))
}

/// The refs among `refs` that are pull requests or issues on the account at `api`:
/// `ROOT/owner/repo/pull/N` or `ROOT/owner/repo/issues/N`.
pub fn items<'a>(api: &str, refs: &[&'a str]) -> Vec<&'a str> {
    let Some((_, root)) = site(api) else {
        return Vec::new();
    };
    refs.iter()
        .copied()
        .filter(|r| {
            let Some(path) = r.strip_prefix(root).and_then(|p| p.strip_prefix('/')) else {
                return false;
            };
            matches!(
                path.split('/').collect::<Vec<_>>()[..],
                [owner, repo, "pull" | "issues", n]
                    if !owner.is_empty() && !repo.is_empty() && !n.is_empty()
                        && n.bytes().all(|b| b.is_ascii_digit())
            )
        })
        .collect()
}

/// The body of the request: `{query, variables: {u0: url, …}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Batch {
    pub query: String,
    pub variables: Urls,
}

/// The items' URLs as the variables `u0`, `u1`, ….
#[derive(Clone, Debug, PartialEq)]
pub struct Urls(pub Vec<String>);

impl Serialize for Urls {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().enumerate().map(|(i, u)| (format!("u{i}"), u)))
    }
}

/// The one request for `items` (from [`items`]) on the account at `api`; `None` for none.
pub fn batch(api: &str, items: &[&str]) -> Option<Batch> {
    let (scheme, _) = site(api)?;
    if items.is_empty() {
        return None;
    }
    let mut query = String::from("query Items(");
    for i in 0..items.len() {
        query.push_str(&format!("{}$u{i}: URI!", if i == 0 { "" } else { ", " }));
    }
    query.push_str(") {");
    for i in 0..items.len() {
        query.push_str(&format!(" i{i}: resource(url: $u{i}) {{ ...Item }}"));
    }
    query.push_str(" } ");
    query.push_str(ITEM);
    let urls = items.iter().map(|r| format!("{scheme}://{r}")).collect();
    Some(Batch {
        query,
        variables: Urls(urls),
    })
}

/// A GraphQL answer: `data` (each alias an item, or null when GitHub has none the token may
/// see) and `errors` (with HTTP 200: partial answers come with `NOT_FOUND` and the like).
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    data: Option<Aliases>,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    errors: Vec<GraphqlError>,
}

fn logins(nodes: Option<Nodes>) -> Option<Vec<String>> {
    nodes.map(|n| handles(n.all().filter_map(Part::handle).collect()))
}

/// One item as GitHub answered it; `None` for anything but a pull request or an issue in a
/// state this version knows.
fn observed(node: Part, at: Timestamp) -> Option<Observed> {
    let (kind, lifecycle) = match (node.typename.as_str(), node.is_draft) {
        ("PullRequest", draft) => (
            Kind::Change,
            match node.state.as_deref()? {
                "OPEN" if draft == Some(true) => Lifecycle::Draft,
                "OPEN" => Lifecycle::Open,
                "MERGED" => Lifecycle::Merged,
                "CLOSED" => Lifecycle::Closed,
                _ => return None,
            },
        ),
        ("Issue", _) => (
            Kind::Issue,
            match node.issue_state.as_deref()? {
                "OPEN" => Lifecycle::Open,
                "CLOSED" => Lifecycle::Closed,
                _ => return None,
            },
        ),
        _ => return None,
    };
    let mut o = Observed::new(kind, lifecycle, Source::Github, at);
    o.title = node.title;
    o.labels = node
        .label_nodes
        .map(|l| l.all().filter_map(|l| l.name).collect());
    o.assignees = logins(node.assignee_nodes);
    o.reviewers = node.review_requests.map(|r| {
        handles(
            r.all()
                .filter_map(|r| r.requested_reviewer.and_then(|p| p.handle()))
                .collect(),
        )
    });
    o.review = match node.review_decision.as_deref() {
        Some("APPROVED") => Some(Review::Approved),
        Some("CHANGES_REQUESTED") => Some(Review::ChangesRequested),
        Some("REVIEW_REQUIRED") => Some(Review::Required),
        _ => None,
    };
    o.reviewed_at = node
        .reviews
        .and_then(Nodes::last)
        .and_then(|r| r.submitted_at);
    let rollup = node
        .commits
        .and_then(Nodes::last)
        .and_then(|c| c.commit?.status_check_rollup?.state);
    o.checks = match rollup.as_deref() {
        Some("SUCCESS") => Some(Checks::Passing),
        Some("FAILURE" | "ERROR") => Some(Checks::Failing),
        Some("PENDING" | "EXPECTED") => Some(Checks::Pending),
        _ => None,
    };
    let closer = || {
        node.timeline_items
            .and_then(Nodes::last)
            .and_then(|c| c.actor?.handle())
    };
    (o.ended_at, o.ended_by) = match lifecycle {
        Lifecycle::Merged => (node.merged_at, node.merged_by.and_then(|p| p.handle())),
        Lifecycle::Closed => (node.closed_at, closer()),
        Lifecycle::Open | Lifecycle::Draft => (None, None),
    };
    Some(o)
}

/// Reads the answer to [`batch`] for `items` (in the order given to it), seen at `at`.
pub fn read(items: &[&str], answer: &Result<Answer, NetError>, at: Timestamp) -> Read {
    if let Some(outcome) = http_outcome(Service::Github, answer) {
        return Err(Unread::from(outcome));
    }
    let unreadable = || Unread {
        why: "GitHub answered with something StandIn cannot read".into(),
        retry_after_ms: None,
    };
    let reply: Reply = match answer {
        Ok(answer) => answer.json().map_err(|_| unreadable())?,
        Err(_) => return Err(unreadable()),
    };
    let Some(data) = reply.data else {
        let kind = |k: &str| has_error(&reply.errors, k);
        let why = if kind("RATE_LIMITED") {
            "rate limited"
        } else if kind("INSUFFICIENT_SCOPES") {
            "the token lacks the repo scope"
        } else {
            "GitHub refused the query"
        };
        return Err(Unread {
            why: why.into(),
            retry_after_ms: None,
        });
    };
    let mut seen = Vec::new();
    for (alias, node) in data {
        let index = alias
            .strip_prefix('i')
            .and_then(|n| n.parse::<usize>().ok());
        let (Some(item), Some(node)) = (index.and_then(|i| items.get(i)), node) else {
            continue;
        };
        if let Some(o) = observed(node, at) {
            seen.push(((*item).to_string(), o));
        }
    }
    Ok(seen)
}

#[cfg(test)]
mod tests;
