//! Jira Cloud (`<tenant>.atlassian.net`) and Jira Server/Data Center (any host and context path
//! the user enabled, e.g. `https://jira.corp/jira`).
//!
//! An issue is `KEY-1` wherever it is shown: its own page (`/browse/KEY-1`), a project issue route
//! (`/jira/software/projects/KEY/issues/KEY-1`), or the side panel of a board, backlog or list
//! (`?selectedIssue=KEY-1`). People: Cloud identifies them by account id (`/jira/people/<id>`,
//! `data-account-id`, the Atlaskit renderer's `data-mention-id`), Server/DC by user name
//! (`/secure/ViewProfile.jspa?name=`, `.user-hover[rel]`); both show display names, kept as the
//! person's name (a roster may list either).

use super::url::{issue_key, percent_decode, SiteUrl};
use super::{
    status_name, Adapter, Generation, ItemRef, PageKind, Predicate, Reads, Role, Rule, Site,
    Source, StateRule,
};
use crate::live::Lifecycle;

pub static ADAPTER: Adapter = Adapter::new(
    Site::Jira,
    PREDICATES,
    RULES,
    profile_handle,
    normalize_handle,
    item_title,
)
.states(STATES, lifecycle)
.display_names();

/// The issue's own state: its status (Cloud's status field, Server/DC's `#status-val`), the
/// summary, the assignee field.
const STATES: &[StateRule] = &[
    StateRule::new(
        "cloud-status",
        Reads::Label,
        r#"[data-testid="issue.views.issue-base.foundation.status.status-field-wrapper"]"#,
    ),
    StateRule::new("dc-status", Reads::Label, "#status-val"),
    StateRule::new(
        "cloud-summary",
        Reads::Title,
        r#"[data-testid="issue.views.issue-base.foundation.summary.heading"]"#,
    ),
    StateRule::new("dc-summary", Reads::Title, "#summary-val"),
    StateRule::new(
        "cloud-assignee-field",
        Reads::Assignees,
        r#"[data-testid="issue.views.field.user.assignee"]"#,
    ),
    StateRule::new("dc-assignee-field", Reads::Assignees, "#assignee-val"),
];

/// Jira's default workflows' done statuses, and the usual names teams give theirs.
const CLOSING: &[&str] = &[
    "done",
    "closed",
    "resolved",
    "complete",
    "completed",
    "won't do",
    "cancelled",
    "canceled",
    "declined",
    "rejected",
];

fn lifecycle(_kind: PageKind, label: &str, _title: Option<&str>) -> Option<Lifecycle> {
    status_name(label, CLOSING)
}

fn profile_handle(path: &[&str], query: &str) -> Option<String> {
    match path {
        ["jira", "people", id] | ["people", id] => account_id(id),
        ["secure", "ViewProfile.jspa"] => {
            let name = super::url::query_param(query, "name")?;
            normalize_handle(&percent_decode(name)?)
        }
        _ => None,
    }
}

/// Jira handles are free text (account ids, DC user names, display names): bounded, trimmed,
/// no control characters, a leading `@` (mentions) dropped.
fn normalize_handle(raw: &str) -> Option<String> {
    let s = raw.trim().trim_start_matches('@').trim();
    let valid = !s.is_empty()
        && s.chars().count() <= crate::limits::HANDLE.max_graphemes
        && !s.chars().any(char::is_control);
    valid.then(|| s.to_owned())
}

fn item_title(kind: PageKind, document_title: &str) -> Option<String> {
    // "[KEY-1] Summary - Jira" (Cloud), "[KEY-1] Summary - Corp JIRA" (DC). Boards and lists
    // title the board, not the selected issue.
    if kind != PageKind::Ticket {
        return None;
    }
    let rest = document_title.trim().strip_prefix('[')?;
    let (key, rest) = rest.split_once("] ")?;
    issue_key(key)?;
    let title = rest.rsplit_once(" - ").map_or(rest, |(t, _)| t);
    Some(title.to_owned())
}

/// A Cloud account id: `5b10ac8d82e05b22cc7d4ef5` or `557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`.
fn account_id(s: &str) -> Option<String> {
    let valid = !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-');
    valid.then(|| s.to_owned())
}

fn browse_ref(u: &SiteUrl, key: &str) -> ItemRef {
    ItemRef::new(&u.root, &["browse", key])
}

/// `selectedIssue=KEY-1`, when it holds a key.
fn selected_issue(u: &SiteUrl) -> Option<ItemRef> {
    let key = issue_key(u.query_param("selectedIssue")?)?;
    Some(browse_ref(u, &key))
}

/// Cloud project routes start `jira/<product>/[c/]projects/<KEY>/…` (`c` marks company-managed
/// projects); Server/DC's older project pages start `projects/<KEY>/…`. The rest of the path.
fn project_route<'s, 'a>(u: &'s SiteUrl<'a>) -> Option<&'s [&'a str]> {
    let s = &u.segments[..];
    let after = match s {
        ["jira", _product, "c", "projects", _key, rest @ ..] => rest,
        ["jira", _product, "projects", _key, rest @ ..] => rest,
        ["projects", _key, rest @ ..] => rest,
        _ => return None,
    };
    Some(after)
}

/// An issue's own page: `browse/KEY-1` or a project issue route.
fn ticket(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let key = match u.segments[..] {
        ["browse", key] => key,
        _ => match project_route(u)? {
            ["issues", key] => key,
            _ => return None,
        },
    };
    Some(Some(browse_ref(u, &issue_key(key)?)))
}

const TICKET: Predicate = Predicate {
    name: "ticket",
    kind: PageKind::Ticket,
    detect: ticket,
    #[cfg(test)]
    samples: &[
        "https://acme.atlassian.net/browse/KEY-1",
        "https://acme.atlassian.net/browse/KEY-1/",
        "https://acme.atlassian.net//browse//key-1",
        "https://acme.atlassian.net/browse/KEY-1?focusedCommentId=10001",
        "https://acme.atlassian.net/jira/software/projects/KEY/issues/KEY-1",
        "https://acme.atlassian.net/jira/software/c/projects/KEY/issues/KEY-1?jql=order%20by%20created",
        "https://acme.atlassian.net/jira/core/projects/OPS/issues/OPS-9",
        "https://jira.corp.example/jira/browse/KEY-1",
        "http://corp.example/jira/browse/DATA_2-15#comment-3",
        "https://jira.corp.example/jira/projects/KEY/issues/KEY-1",
    ],
};

/// A board, backlog or timeline, with the issue open in its side panel if any.
fn board(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let is_board = match u.segments[..] {
        ["secure", "RapidBoard.jspa"] => true,
        _ => matches!(
            project_route(u)?,
            ["boards", id, ..] if super::url::is_number(id)
        ),
    };
    is_board.then(|| selected_issue(u))
}

const BOARD: Predicate = Predicate {
    name: "board",
    kind: PageKind::Board,
    detect: board,
    #[cfg(test)]
    samples: &[
        "https://acme.atlassian.net/jira/software/projects/KEY/boards/1",
        "https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-2",
        "https://acme.atlassian.net/jira/software/c/projects/KEY/boards/12/backlog?selectedIssue=KEY-2&issueLimit=100",
        "https://acme.atlassian.net/jira/software/projects/KEY/boards/1/timeline",
        "https://jira.corp.example/jira/secure/RapidBoard.jspa?rapidView=5&view=planning&selectedIssue=KEY-3",
        "https://corp.example/jira/secure/RapidBoard.jspa?rapidView=5",
    ],
};

/// The issue navigator and project issue lists, with the selected issue if any.
fn issue_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let is_list = match u.segments[..] {
        ["issues"] => true,
        _ => matches!(project_route(u)?, ["issues"] | ["list"]),
    };
    is_list.then(|| selected_issue(u))
}

const ISSUE_LIST: Predicate = Predicate {
    name: "issue_list",
    kind: PageKind::IssueList,
    detect: issue_list,
    #[cfg(test)]
    samples: &[
        "https://acme.atlassian.net/issues/?jql=assignee%20%3D%20currentUser()",
        "https://acme.atlassian.net/jira/software/projects/KEY/issues",
        "https://acme.atlassian.net/jira/software/projects/KEY/issues?selectedIssue=KEY-4",
        "https://acme.atlassian.net/jira/software/c/projects/KEY/list",
        "https://jira.corp.example/jira/issues/?filter=-1&selectedIssue=KEY-4",
    ],
};

const PREDICATES: &[Predicate] = &[TICKET, BOARD, ISSUE_LIST];

#[cfg(test)]
pub(super) const OTHER_SAMPLES: &[&str] = &[
    "https://acme.atlassian.net/",
    "https://acme.atlassian.net/jira/your-work",
    "https://acme.atlassian.net/browse/KEY",
    "https://acme.atlassian.net/browse/KEY-0",
    "https://acme.atlassian.net/browse/KEY-1/edit",
    "https://acme.atlassian.net/jira/software/projects/KEY/boards",
    "https://acme.atlassian.net/jira/software/projects/KEY/issues/KEY-1/edit",
    "https://acme.atlassian.net/wiki/spaces/ENG/pages/1?selectedIssue=KEY-1",
    "https://acme.atlassian.net/jira/people/5b10ac8d82e05b22cc7d4ef5",
    "https://jira.corp.example/jira/secure/Dashboard.jspa",
    "https://jira.corp.example/jira/secure/ViewProfile.jspa?name=jdoe",
];

use Generation::{Current, Generic, Legacy};
use PageKind::{Board, IssueList, Ticket};

/// Issue details show on the issue page and in board and list side panels.
const ISSUE_VIEW: &[PageKind] = &[Ticket, Board, IssueList];
/// Cloud: the account id, else the profile link, else (a field showing only a name) the name.
const CLOUD: &[Source] = &[Source::Attr("data-account-id"), Source::Href, Source::Text];
/// Server/DC: the user name in `rel` (`user-hover`), else the profile link.
const DC: &[Source] = &[Source::Attr("rel"), Source::Href];

const RULES: &[Rule] = &[
    // --- Current: Jira Cloud's issue view (Atlaskit, `data-testid`).
    Rule::new(
        "cloud-assignee",
        Current,
        Role::Assignee,
        r#"[data-testid="issue.views.field.user.assignee"] [data-testid$="name.wrapper"]"#,
    )
    .sources(CLOUD)
    .text()
    .on(ISSUE_VIEW),
    Rule::new(
        "cloud-reporter",
        Current,
        Role::Reporter,
        r#"[data-testid="issue.views.field.user.reporter"] [data-testid$="name.wrapper"]"#,
    )
    .sources(CLOUD)
    .text()
    .on(ISSUE_VIEW),
    Rule::new("cloud-mention", Current, Role::Mention, "[data-mention-id]")
        .sources(&[Source::Attr("data-mention-id"), Source::Text])
        .text()
        .on(ISSUE_VIEW),
    Rule::new(
        "cloud-comment-author",
        Current,
        Role::Commenter,
        r#"[data-testid^="issue-comment-base.ui.comment"] a[href*="/people/"]"#,
    )
    .sources(CLOUD)
    .text()
    .on(ISSUE_VIEW),
    // --- Legacy: Jira Server/Data Center issue page.
    Rule::new(
        "dc-assignee",
        Legacy,
        Role::Assignee,
        "#assignee-val .user-hover",
    )
    .sources(DC)
    .text()
    .on(ISSUE_VIEW),
    Rule::new(
        "dc-reporter",
        Legacy,
        Role::Reporter,
        "#reporter-val .user-hover",
    )
    .sources(DC)
    .text()
    .on(ISSUE_VIEW),
    Rule::new(
        "dc-comment-author",
        Legacy,
        Role::Commenter,
        ".action-details .user-hover",
    )
    .sources(DC)
    .text()
    .on(ISSUE_VIEW),
    // Mentions in descriptions and comments are `user-hover` links too.
    Rule::new(
        "dc-mention",
        Legacy,
        Role::Mention,
        ".user-content-block .user-hover, .action-body .user-hover",
    )
    .sources(DC)
    .text()
    .on(ISSUE_VIEW),
    // --- Generic: profile links and account-id attributes anywhere.
    Rule::new(
        "generic-user-hover",
        Generic,
        Role::Participant,
        ".user-hover[rel]",
    )
    .sources(DC)
    .text(),
    Rule::new(
        "generic-profile-link",
        Generic,
        Role::Participant,
        r#"a[href*="/people/"], a[href*="ViewProfile.jspa"]"#,
    )
    .text(),
    Rule::new(
        "generic-account-id",
        Generic,
        Role::Participant,
        "[data-account-id]",
    )
    .sources(&[Source::Attr("data-account-id")])
    .text(),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::sample_item_of as item_of;

    #[test]
    fn an_issue_is_one_item_on_its_page_and_in_side_panels() {
        let want = Some("acme.atlassian.net/browse/KEY-2".to_owned());
        for url in [
            "https://acme.atlassian.net/browse/key-2",
            "https://acme.atlassian.net/jira/software/projects/KEY/issues/KEY-2",
            "https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-2",
            "https://acme.atlassian.net/jira/software/projects/KEY/issues?selectedIssue=KEY-2",
        ] {
            assert_eq!(item_of(url), want, "{url}");
        }
        assert_eq!(
            item_of("https://jira.corp.example/JIRA/secure/RapidBoard.jspa?rapidView=5&selectedIssue=KEY-3")
                .as_deref(),
            Some("jira.corp.example/jira/browse/KEY-3")
        );
        // A board without (or with a malformed) selection has no item.
        assert_eq!(
            item_of("https://acme.atlassian.net/jira/software/projects/KEY/boards/1"),
            None
        );
        assert_eq!(
            item_of("https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=%3Cx%3E"),
            None
        );
    }

    #[test]
    fn profile_links() {
        assert_eq!(
            profile_handle(&["jira", "people", "557058:f58131cb-b67d"], ""),
            Some("557058:f58131cb-b67d".into())
        );
        assert_eq!(
            profile_handle(&["secure", "ViewProfile.jspa"], "name=j.doe%40corp.example"),
            Some("j.doe@corp.example".into())
        );
        assert_eq!(profile_handle(&["secure", "ViewProfile.jspa"], "x=1"), None);
        assert_eq!(profile_handle(&["jira", "people", "<script>"], ""), None);
        assert_eq!(profile_handle(&["browse", "KEY-1"], ""), None);
    }

    #[test]
    fn item_titles() {
        assert_eq!(
            item_title(PageKind::Ticket, "[KEY-1] Login fails - on Safari - Jira").as_deref(),
            Some("Login fails - on Safari")
        );
        assert_eq!(item_title(PageKind::Ticket, "Dashboard - Jira"), None);
        assert_eq!(item_title(PageKind::Board, "[KEY-1] x - Jira"), None);
    }
}
