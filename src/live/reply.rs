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
#[serde(rename_all = "camelCase")]
pub(super) struct Part {
    #[serde(rename = "__typename", default)]
    pub typename: String,
    /// GitLab: the merge request's or issue's number in its project.
    #[serde(default)]
    pub iid: Option<u64>,
    #[serde(default)]
    pub title: Option<String>,
    /// GitHub `PullRequestState`, `StatusState`; GitLab `opened`, `closed`, `merged`, `locked`.
    #[serde(default)]
    pub state: Option<String>,
    /// GitHub `IssueState` (aliased in the query: another type than a pull request's state).
    #[serde(default)]
    pub issue_state: Option<String>,
    #[serde(default, alias = "draft")]
    pub is_draft: Option<bool>,
    #[serde(default)]
    pub review_decision: Option<String>,
    #[serde(default, alias = "detailed_merge_status")]
    pub merge_status: Option<String>,
    #[serde(default, alias = "merged_at")]
    pub merged_at: Option<Timestamp>,
    #[serde(default, alias = "closed_at")]
    pub closed_at: Option<Timestamp>,
    #[serde(default)]
    pub submitted_at: Option<Timestamp>,
    #[serde(default, alias = "merged_by")]
    pub merged_by: Option<Box<Part>>,
    #[serde(default, rename = "merge_user")]
    pub merge_user: Option<Box<Part>>,
    #[serde(default, rename = "closed_by")]
    pub closed_by: Option<Box<Part>>,
    /// GitHub users, bots and mannequins; GitLab says `username`.
    #[serde(default, alias = "username")]
    pub login: Option<String>,
    /// A GitHub team among requested reviewers.
    #[serde(default)]
    pub slug: Option<String>,
    /// A GitHub label.
    #[serde(default)]
    pub name: Option<String>,
    /// GitLab's label names.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub labels: Vec<String>,
    #[serde(default)]
    pub label_nodes: Option<Nodes>,
    /// GitLab's users.
    #[serde(default)]
    pub assignees: Option<Vec<Part>>,
    #[serde(default)]
    pub reviewers: Option<Vec<Part>>,
    #[serde(default)]
    pub assignee_nodes: Option<Nodes>,
    #[serde(default)]
    pub review_requests: Option<Nodes>,
    #[serde(default)]
    pub requested_reviewer: Option<Box<Part>>,
    #[serde(default)]
    pub reviews: Option<Nodes>,
    #[serde(default)]
    pub commits: Option<Nodes>,
    #[serde(default)]
    pub commit: Option<Box<Part>>,
    #[serde(default)]
    pub status_check_rollup: Option<Box<Part>>,
    #[serde(default)]
    pub timeline_items: Option<Nodes>,
    #[serde(default)]
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
