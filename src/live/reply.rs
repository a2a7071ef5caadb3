//! Every object the live-state sources read from GitHub's and GitLab's answers, in one shape:
//! a pull request, issue or merge request, a user, a label, a review, a commit, a closing
//! event. One type means one reader in the worker's wasm module, not one per object (each
//! deserialised type costs its visitor; issue 12's budget). Every field is optional, so a
//! partial answer or one of a newer API reads; enum values are text, so a value added later
//! is ignored rather than fatal. GitHub's connections that share a name with a GitLab field of
//! another shape are aliased in the query (`labelNodes: labels(…)`, `assigneeNodes:
//! assignees(…)`).

use crate::time::Timestamp;
use serde::Deserialize;

#[derive(Default, Deserialize)]
// Any field may be missing: it is then `Part::default()`'s.
#[serde(default, rename_all = "camelCase")]
pub(super) struct Part {
    #[serde(rename = "__typename")]
    pub typename: String,
    /// GitLab: the merge request's or issue's number in its project.
    pub iid: Option<u64>,
    pub title: Option<String>,
    /// GitHub `PullRequestState`, `StatusState`; GitLab `opened`, `closed`, `merged`, `locked`.
    pub state: Option<String>,
    /// GitHub `IssueState` (aliased in the query: another type than a pull request's state).
    pub issue_state: Option<String>,
    #[serde(alias = "draft")]
    pub is_draft: Option<bool>,
    pub review_decision: Option<String>,
    #[serde(alias = "detailed_merge_status")]
    pub merge_status: Option<String>,
    #[serde(alias = "merged_at")]
    pub merged_at: Option<Timestamp>,
    #[serde(alias = "closed_at")]
    pub closed_at: Option<Timestamp>,
    pub submitted_at: Option<Timestamp>,
    #[serde(alias = "merged_by")]
    pub merged_by: Option<Box<Part>>,
    #[serde(rename = "merge_user")]
    pub merge_user: Option<Box<Part>>,
    #[serde(rename = "closed_by")]
    pub closed_by: Option<Box<Part>>,
    /// GitHub users, bots and mannequins; GitLab says `username`.
    #[serde(alias = "username")]
    pub login: Option<String>,
    /// A GitHub team among requested reviewers.
    pub slug: Option<String>,
    /// A GitHub label.
    pub name: Option<String>,
    /// GitLab's label names.
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub labels: Vec<String>,
    pub label_nodes: Option<Nodes>,
    /// GitLab's users.
    pub assignees: Option<Vec<Part>>,
    pub reviewers: Option<Vec<Part>>,
    pub assignee_nodes: Option<Nodes>,
    pub review_requests: Option<Nodes>,
    pub requested_reviewer: Option<Box<Part>>,
    pub reviews: Option<Nodes>,
    pub commits: Option<Nodes>,
    pub commit: Option<Box<Part>>,
    pub status_check_rollup: Option<Box<Part>>,
    pub timeline_items: Option<Nodes>,
    pub actor: Option<Box<Part>>,
}

impl Part {
    /// A user's, bot's or mannequin's login, or a team's slug.
    pub fn handle(self) -> Option<String> {
        self.login.or(self.slug)
    }
}

/// A GitHub connection's `nodes` (a node may be null: one the token may not see).
#[derive(Default, Deserialize)]
pub(super) struct Nodes {
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    nodes: Vec<Option<Part>>,
}

impl Nodes {
    pub fn all(self) -> impl Iterator<Item = Part> {
        self.nodes.into_iter().flatten()
    }

    pub fn last(self) -> Option<Part> {
        self.all().last()
    }
}

/// GitHub's `data` object: each alias (`i0`, `i1`, …) and its item, null where there is none.
pub(super) type Aliases = std::collections::BTreeMap<String, Option<Part>>;
