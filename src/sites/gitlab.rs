//! GitLab (gitlab.com and self-managed instances the user enabled, with or without a relative
//! URL root).
//!
//! Projects live under nested groups (`/g/sub/p`), so routes are found by their keyword, with
//! GitLab's `/-/` separator (since 12.x) or without it (the older form, still redirected).
//! People: GitLab marks user links with `data-username`, `data-user-id`, `.js-user-link` and
//! `a.author-link` in every generation, which the rules lean on.

use super::url::{is_number, SiteUrl};
use super::{
    label_word, Adapter, Generation, ItemRef, PageKind, Predicate, Reads, Role, Rule, Site, Source,
    StateRule,
};
use crate::live::Lifecycle;

// Logins need their `@`: groups share the users' path space and are linked by their plain
// name; users are named `@username`.
pub static ADAPTER: Adapter = Adapter::new(
    Site::GitLab,
    PREDICATES,
    RULES,
    profile_handle,
    normalize_handle,
    item_title,
)
.login_needs_at()
.states(STATES, lifecycle);

/// The item's own state: the header's status badge (GitLab 15+: `issuable-status-badge`;
/// before: `status-box`), the title, the assignees' sidebar widget.
const STATES: &[StateRule] = &[
    StateRule::new(
        "state",
        Reads::Label,
        ".detail-page-header .issuable-status-badge, .detail-page-header .status-box",
    ),
    StateRule::new(
        "title",
        Reads::Title,
        r#"[data-testid="title-content"], .detail-page-description .title"#,
    ),
    StateRule::new(
        "assignees",
        Reads::Assignees,
        r#"[data-testid="assignees-widget"], .block.assignee"#,
    ),
];

/// GitLab marks a draft merge request in its title ("Draft:", "[Draft]", "(Draft)", and
/// "WIP:" before 14.0) and shows it as open.
fn lifecycle(kind: PageKind, label: &str, title: Option<&str>) -> Option<Lifecycle> {
    let draft = title.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        ["draft:", "[draft]", "(draft)", "wip:"]
            .iter()
            .any(|p| t.starts_with(p))
    });
    Some(match (label_word(label).as_str(), kind) {
        ("open" | "opened", PageKind::MergeRequest) if draft => Lifecycle::Draft,
        ("open" | "opened", _) => Lifecycle::Open,
        ("closed", _) => Lifecycle::Closed,
        ("merged", PageKind::MergeRequest) => Lifecycle::Merged,
        _ => return None,
    })
}

fn profile_handle(path: &[&str], query: &str) -> Option<String> {
    match path {
        [username] if query.is_empty() => normalize_handle(username),
        _ => None,
    }
}

fn normalize_handle(raw: &str) -> Option<String> {
    let name = raw.to_ascii_lowercase();
    let valid = is_path_segment(&name)
        && name.len() <= 255
        && !RESERVED.contains(&name.as_str())
        && !name.ends_with(".git")
        && !name.ends_with(".atom");
    valid.then_some(name)
}

fn item_title(kind: PageKind, document_title: &str) -> Option<String> {
    // "Fix it (!12) · Merge requests · g / p · GitLab", "Crash (#3) · Issues · g / p · GitLab"
    let suffix = match kind {
        PageKind::MergeRequest => " (!",
        PageKind::Issue => " (#",
        _ => return None,
    };
    let first = super::title_parts(document_title).into_iter().next()?;
    let (title, reference) = first.rsplit_once(suffix)?;
    reference.strip_suffix(')').filter(|n| is_number(n))?;
    Some(title.to_owned())
}

/// A namespace or project path segment: letters, digits, `_`, `-`, `.`, not starting with `-`
/// (which also rules out the `/-/` separator).
fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['-', '.'])
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// First path segments that are GitLab's own routes, never a namespace or a user.
const RESERVED: &[&str] = &[
    "admin",
    "api",
    "assets",
    "dashboard",
    "explore",
    "groups",
    "help",
    "import",
    "oauth",
    "profile",
    "projects",
    "public",
    "search",
    "snippets",
    "uploads",
    "users",
];

/// The project path before a route keyword at `at` (dropping a `/-/` separator): at least a
/// namespace and a project, all valid segments.
fn project_before<'s, 'a>(u: &'s SiteUrl<'a>, at: usize) -> Option<&'s [&'a str]> {
    let end = if at > 0 && u.segments[at - 1] == "-" {
        at - 1
    } else {
        at
    };
    let path = &u.segments[..end];
    let valid = path.len() >= 2
        && path.iter().all(|s| is_path_segment(s))
        && !RESERVED.contains(&path[0].to_ascii_lowercase().as_str());
    valid.then_some(path)
}

/// `root/<project>/-/<keyword>/<n>`, lower-cased (GitLab routes ignore case), always with `/-/`
/// so both URL forms give one reference.
fn item_ref(u: &SiteUrl, project: &[&str], keyword: &str, number: &str) -> ItemRef {
    let lower: Vec<String> = project.iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut parts: Vec<&str> = lower.iter().map(String::as_str).collect();
    parts.extend(["-", keyword, number]);
    ItemRef::new(&u.root, &parts)
}

/// `<project>/[-/]<keyword>/<n>[/<tab>]` for one of `keywords` (the first is canonical).
fn numbered(u: &SiteUrl, keywords: &[&str], tabs: &[&str]) -> Option<ItemRef> {
    let at = u.segments.iter().position(|s| keywords.contains(s))?;
    let project = project_before(u, at)?;
    let number = u.seg(at + 1).filter(|n| is_number(n))?;
    let tab_ok = match &u.segments[at + 2..] {
        [] => true,
        [tab] => tabs.contains(tab),
        _ => false,
    };
    tab_ok.then(|| item_ref(u, project, keywords[0], number))
}

/// A merge request on any tab: overview, commits, pipelines, changes (`diffs`).
fn merge_request(u: &SiteUrl) -> Option<Option<ItemRef>> {
    numbered(u, &["merge_requests"], &["diffs", "commits", "pipelines"]).map(Some)
}

const MERGE_REQUEST: Predicate = Predicate {
    name: "merge_request",
    kind: PageKind::MergeRequest,
    detect: merge_request,
    #[cfg(test)]
    samples: &[
        "https://gitlab.com/gitlab-org/gitlab/-/merge_requests/3",
        "https://gitlab.com/g/sub/deeper/p/-/merge_requests/3/",
        "https://gitlab.com//g//p//-//merge_requests//3",
        "https://gitlab.com/g/p/-/merge_requests/3/diffs",
        "https://gitlab.com/g/p/-/merge_requests/3/diffs?commit_id=abc#note_1",
        "https://gitlab.com/g/p/-/merge_requests/3/commits",
        "https://gitlab.com/g/p/-/merge_requests/3/pipelines",
        "https://gitlab.com/sourcegraph/jsonrpc2/merge_requests/1/diffs",
        "http://gitlab.example.org/Team/Sub/App/-/merge_requests/12",
        "https://corp.example/gitlab/team/app/-/merge_requests/5",
    ],
};

/// An issue; GitLab 17's work-item route for the same number is the same item.
fn issue(u: &SiteUrl) -> Option<Option<ItemRef>> {
    numbered(u, &["issues", "work_items"], &["designs"]).map(Some)
}

const ISSUE: Predicate = Predicate {
    name: "issue",
    kind: PageKind::Issue,
    detect: issue,
    #[cfg(test)]
    samples: &[
        "https://gitlab.com/g/p/-/issues/7",
        "https://gitlab.com/g/sub/p/-/issues/7/",
        "https://gitlab.com/g/p/issues/7",
        "https://gitlab.com/g/p/-/issues/7#note_99",
        "https://gitlab.com/g/p/-/work_items/7",
        "https://gitlab.example.org/team/app/-/issues/7?show=1",
    ],
};

/// A list route: a project's (`<project>/[-/]<keyword>`), a group's
/// (`groups/<group>/-/<keyword>`) or the dashboard's (`dashboard/<keyword>`).
fn list(u: &SiteUrl, keyword: &str) -> bool {
    match u.segments[..] {
        ["dashboard", k] => k == keyword,
        [.., k] if k == keyword => {
            let at = u.segments.len() - 1;
            if u.seg(0) == Some("groups") {
                let group = &u.segments[1..at.saturating_sub(1)];
                u.segments.get(at - 1) == Some(&"-")
                    && !group.is_empty()
                    && group.iter().all(|s| is_path_segment(s))
            } else {
                project_before(u, at).is_some()
            }
        }
        _ => false,
    }
}

fn mr_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    list(u, "merge_requests").then_some(None)
}

const MR_LIST: Predicate = Predicate {
    name: "mr_list",
    kind: PageKind::MrList,
    detect: mr_list,
    #[cfg(test)]
    samples: &[
        "https://gitlab.com/g/p/-/merge_requests",
        "https://gitlab.com/g/sub/p/-/merge_requests?scope=all&state=opened",
        "https://gitlab.com/g/p/merge_requests/",
        "https://gitlab.com/groups/g/sub/-/merge_requests",
        "https://gitlab.com/dashboard/merge_requests?assignee_username=alice",
        "https://corp.example/gitlab/team/app/-/merge_requests",
    ],
};

fn issue_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    list(u, "issues").then_some(None)
}

const ISSUE_LIST: Predicate = Predicate {
    name: "issue_list",
    kind: PageKind::IssueList,
    detect: issue_list,
    #[cfg(test)]
    samples: &[
        "https://gitlab.com/g/p/-/issues",
        "https://gitlab.com/g/p/issues?label_name[]=bug",
        "https://gitlab.com/groups/g/-/issues",
        "https://gitlab.com/dashboard/issues",
        "https://gitlab.example.org/team/sub/app/-/issues/",
    ],
};

const PREDICATES: &[Predicate] = &[MERGE_REQUEST, ISSUE, MR_LIST, ISSUE_LIST];

#[cfg(test)]
pub(super) const OTHER_SAMPLES: &[&str] = &[
    "https://gitlab.com/",
    "https://gitlab.com/g/p",
    "https://gitlab.com/g/p/-/issues/new",
    "https://gitlab.com/g/p/-/merge_requests/new?merge_request[source_branch]=x",
    "https://gitlab.com/g/p/-/merge_requests/3abc",
    "https://gitlab.com/g/p/-/merge_requests/3/edit",
    "https://gitlab.com/g/p/-/blob/main/merge_requests/3",
    "https://gitlab.com/g/p/-/tree/main/issues",
    "https://gitlab.com/p/-/merge_requests/3",
    "https://gitlab.com/explore/projects",
    "https://gitlab.com/users/sign_in",
    "https://gitlab.com/dashboard/todos",
    "https://gitlab.com/alice",
    "https://gitlab.example.org/team/app/-/boards",
];

use Generation::{Current, Generic};
use PageKind::{Issue as ISSUE_PAGE, IssueList, MergeRequest, MrList};

const ITEM: &[PageKind] = &[MergeRequest, ISSUE_PAGE];
const LIST: &[PageKind] = &[MrList, IssueList];
/// `data-username`, else the profile link; the link text is the display name.
const USER: &[Source] = &[Source::Attr("data-username"), Source::Href];

const RULES: &[Rule] = &[
    // --- Current: GitLab 15+ (Vue sidebar widgets with `data-testid`, Vue notes).
    Rule::new(
        "author",
        Current,
        Role::Author,
        ".detail-page-header a.js-user-link, .issuable-meta a.author-link, [data-testid=\"issuable-author\"] a",
    )
    .sources(USER)
    .text()
    .on(ITEM),
    Rule::new(
        "reviewer",
        Current,
        Role::Reviewer,
        r#"[data-testid="reviewers-widget"] a[href], .block.reviewer a[href]"#,
    )
    .sources(USER)
    .text()
    .on(ITEM),
    Rule::new(
        "assignee",
        Current,
        Role::Assignee,
        r#"[data-testid="assignees-widget"] a[href], .block.assignee a[href]"#,
    )
    .sources(USER)
    .text()
    .on(ITEM),
    Rule::new(
        "participant",
        Current,
        Role::Participant,
        r#"[data-testid="sidebar-participants"] a[href], .participants-list a[href]"#,
    )
    .sources(USER)
    .on(ITEM),
    // User references in Markdown: `gfm-project_member`, text `@login`.
    Rule::new("mention", Current, Role::Mention, "a.gfm-project_member")
        .sources(&[Source::Attr("data-username"), Source::Href, Source::Text])
        .on(ITEM),
    // Diff notes, system notes ("alice added 2 commits"), then ordinary notes.
    Rule::new(
        "diff-note-author",
        Current,
        Role::ReviewCommenter,
        ".diff-file .note-header a.js-user-link, .notes_holder .note-header a.js-user-link",
    )
    .sources(USER)
    .text()
    .on(ITEM),
    Rule::new(
        "system-note-actor",
        Current,
        Role::TimelineActor,
        ".system-note .note-header a.js-user-link, .system-note a.author-link",
    )
    .sources(USER)
    .text()
    .on(ITEM),
    Rule::new("note-author", Current, Role::Commenter, ".note-header a.js-user-link")
        .sources(USER)
        .text()
        .on(ITEM),
    Rule::new(
        "list-author",
        Current,
        Role::Author,
        ".issuable-authored a, [data-testid=\"issuable-author\"]",
    )
    .sources(USER)
    .text()
    .on(LIST),
    Rule::new(
        "list-assignee",
        Current,
        Role::Assignee,
        ".issuable-assignees a, [data-testid=\"assignee-link\"]",
    )
    .sources(USER)
    .on(LIST),
    // --- Generic: GitLab's own user-link markers, then any profile link naming `@login`.
    Rule::new(
        "generic-user-link",
        Generic,
        Role::Participant,
        "a[data-username], a[data-user-id], a.js-user-link",
    )
        .sources(USER)
        .text(),
    Rule::new(
        "generic-named-link",
        Generic,
        Role::Participant,
        r##"a[href]:not([href*="?"]):not([href^="#"])"##,
    )
    .confirmed(),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::sample_item_of as item_of;

    #[test]
    fn both_url_forms_and_all_tabs_are_one_item() {
        let want = Some("gitlab.com/g/sub/p/-/merge_requests/3".to_owned());
        for url in [
            "https://gitlab.com/g/sub/p/-/merge_requests/3",
            "https://gitlab.com/G/Sub/P/merge_requests/3/diffs",
            "https://gitlab.com/g/sub/p/-/merge_requests/3/pipelines?x=1",
        ] {
            assert_eq!(item_of(url), want, "{url}");
        }
        assert_eq!(
            item_of("https://corp.example/GitLab/team/app/issues/4").as_deref(),
            Some("corp.example/gitlab/team/app/-/issues/4")
        );
        assert_eq!(
            item_of("https://gitlab.com/g/p/-/work_items/4").as_deref(),
            Some("gitlab.com/g/p/-/issues/4")
        );
    }

    #[test]
    fn usernames() {
        assert_eq!(
            profile_handle(&["Felix.Becker_2"], ""),
            Some("felix.becker_2".into())
        );
        for path in [&["users", "sign_in"][..], &["explore"], &["g", "p"], &["-"]] {
            assert_eq!(profile_handle(path, ""), None, "{path:?}");
        }
        assert_eq!(normalize_handle("alice.git"), None);
        assert_eq!(normalize_handle("Felix Becker"), None);
    }

    #[test]
    fn item_titles() {
        assert_eq!(
            item_title(
                PageKind::MergeRequest,
                "Test Merge Request (!1) · Merge Requests · sourcegraph / jsonrpc2 · GitLab"
            )
            .as_deref(),
            Some("Test Merge Request")
        );
        assert_eq!(
            item_title(
                PageKind::Issue,
                "Crash (on start) (#3) · Issues · g / p · GitLab"
            )
            .as_deref(),
            Some("Crash (on start)")
        );
        assert_eq!(item_title(PageKind::Issue, "Issues · g / p · GitLab"), None);
    }
}
