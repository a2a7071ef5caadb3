//! GitHub (github.com and GitHub Enterprise hosts the user enabled).
//!
//! Three generations of markup: the React views (issues since 2023: `data-testid`,
//! `data-hovercard-url="/users/<login>/hovercard"`), the server-rendered pages of 2019–2022
//! that GitHub Enterprise Server installations keep serving for years (`a.author`,
//! `.timeline-comment-header`, hovercards `?user_id=` in 2019 and `/users/<login>/hovercard` from
//! 2021 — so the login is taken from `href`), and generic fallbacks.

use super::url::{is_number, SiteUrl};
use super::{
    label_word, Adapter, Generation, ItemRef, Page, PageKind, Predicate, Reads, Role, Rule, Site,
    Source, StateRule,
};
use crate::live::Lifecycle;

pub static ADAPTER: Adapter = Adapter::new(
    Site::GitHub,
    PREDICATES,
    RULES,
    profile_handle,
    normalize_handle,
    item_title,
)
.owns_page(owns_page)
.states(STATES, lifecycle);

/// The item's own state: the header's state label ("Open", "Draft", "Merged", "Closed",
/// "Closed as not planned"), the title, the assignees' sidebar section.
const STATES: &[StateRule] = &[
    StateRule::new(
        "state-react",
        Reads::Label,
        r#"[data-testid="header-state"]"#,
    ),
    // Not the sticky header's copy or a linked item's small label in the timeline.
    StateRule::new("state-legacy", Reads::Label, ".gh-header-meta .State"),
    StateRule::new(
        "title-react",
        Reads::Title,
        r#"[data-testid="issue-title"]"#,
    ),
    StateRule::new(
        "title-legacy",
        Reads::Title,
        ".gh-header-title .js-issue-title",
    ),
    StateRule::new(
        "assignees-react",
        Reads::Assignees,
        r#"[data-testid="sidebar-assignees-section"]"#,
    ),
    StateRule::new(
        "assignees-legacy",
        Reads::Assignees,
        r#"form[aria-label="Select assignees"], .js-issue-assignees"#,
    ),
];

fn lifecycle(kind: PageKind, label: &str, _title: Option<&str>) -> Option<Lifecycle> {
    Some(match (label_word(label).as_str(), kind) {
        ("open", _) => Lifecycle::Open,
        ("closed", _) => Lifecycle::Closed,
        ("draft", PageKind::PullRequest) => Lifecycle::Draft,
        ("merged", PageKind::PullRequest) => Lifecycle::Merged,
        _ => return None,
    })
}

fn profile_handle(path: &[&str], query: &str) -> Option<String> {
    // A profile is exactly `/<login>`; `?tab=repositories` and the like are profile tabs,
    // not the person named in the page.
    match path {
        [login] if query.is_empty() => normalize_handle(login),
        _ => None,
    }
}

fn normalize_handle(raw: &str) -> Option<String> {
    let login = raw.to_ascii_lowercase();
    (is_login(&login) && !RESERVED.contains(&login.as_str())).then_some(login)
}

/// The repository owner of the page's item.
fn owns_page(page: &Page, handle: &str) -> bool {
    let owner = page.item.as_ref().and_then(|item| {
        let path = item.as_str().strip_prefix(page.root.as_str())?;
        path.split('/').find(|s| !s.is_empty())
    });
    owner == Some(handle)
}

fn item_title(kind: PageKind, document_title: &str) -> Option<String> {
    // "Fix it by alice · Pull Request #12 · o/r · GitHub", "Crash · Issue #3 · o/r · GitHub"
    let marker = match kind {
        PageKind::PullRequest => "Pull Request #",
        PageKind::Issue => "Issue #",
        _ => return None,
    };
    let parts = super::title_parts(document_title);
    let at = parts.iter().position(|p| p.starts_with(marker))?;
    let title = parts[..at].join(" · ");
    if kind == PageKind::PullRequest {
        // The author's login follows the last " by "; logins have no spaces.
        if let Some((head, author)) = title.rsplit_once(" by ") {
            if is_login(&author.to_ascii_lowercase()) {
                return Some(head.to_owned());
            }
        }
    }
    Some(title)
}

/// GitHub login syntax: letters, digits and single inner hyphens, at most 39 characters (older
/// accounts may have doubled or trailing hyphens, so only the first character is strict).
fn is_login(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 39
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Repository names: letters, digits, `.`, `-`, `_` (and not `.`/`..`).
fn is_repo(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Top-level paths that are GitHub's own pages, never a user (a link `/features` reading
/// "Features" is no person); `ghost` stands for deleted accounts.
const RESERVED: &[&str] = &[
    "about",
    "account",
    "admin",
    "api",
    "apps",
    "blog",
    "business",
    "codespaces",
    "collections",
    "contact",
    "copilot",
    "customer-stories",
    "dashboard",
    "discussions",
    "education",
    "enterprise",
    "enterprises",
    "events",
    "explore",
    "features",
    "ghost",
    "gist",
    "github",
    "github-copilot",
    "home",
    "issues",
    "join",
    "login",
    "logout",
    "marketplace",
    "mobile",
    "new",
    "nonprofit",
    "notifications",
    "open-source",
    "organizations",
    "orgs",
    "pages",
    "partners",
    "premium-support",
    "pricing",
    "pulls",
    "readme",
    "resources",
    "search",
    "security",
    "sessions",
    "settings",
    "signup",
    "site",
    "solutions",
    "sponsors",
    "stars",
    "team",
    "topics",
    "training",
    "trending",
    "users",
    "watching",
];

/// `o/r` at the start of the path, when they can be an owner and a repository.
fn repo<'a>(u: &SiteUrl<'a>) -> Option<(&'a str, &'a str)> {
    let (owner, name) = (u.seg(0)?, u.seg(1)?);
    let owner_ok = is_login(&owner.to_ascii_lowercase())
        && !RESERVED.contains(&owner.to_ascii_lowercase().as_str());
    (owner_ok && is_repo(name)).then_some((owner, name))
}

/// `root/o/r/<kind>/<n>`, lower-cased: GitHub ignores the case of owners and repositories.
fn item(u: &SiteUrl, owner: &str, name: &str, kind: &str, number: &str) -> ItemRef {
    let (owner, name) = (owner.to_ascii_lowercase(), name.to_ascii_lowercase());
    ItemRef::new(&u.root, &[&owner, &name, kind, number])
}

/// A pull request on any tab: conversation, files (now "changes"), commits, checks. All tabs are
/// one item.
fn pull_request(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let (owner, name) = repo(u)?;
    let number = u
        .seg(3)
        .filter(|n| u.seg(2) == Some("pull") && is_number(n))?;
    let tab_ok = match u.segments.get(4..) {
        Some([]) | None => true,
        Some([tab, ..]) => matches!(*tab, "files" | "commits" | "checks" | "changes"),
    };
    tab_ok.then(|| Some(item(u, owner, name, "pull", number)))
}

const PULL_REQUEST: Predicate = Predicate {
    name: "pull_request",
    kind: PageKind::PullRequest,
    detect: pull_request,
    #[cfg(test)]
    samples: &[
        "https://github.com/sourcegraph/sourcegraph/pull/3221",
        "https://github.com/o/r/pull/12/",
        "https://github.com//o//r//pull//12",
        "https://github.com/o/r/pull/12/files",
        "https://github.com/o/r/pull/12/files/1a2b3c..4d5e6f",
        "https://github.com/o/r/pull/12/commits",
        "https://github.com/o/r/pull/12/commits/4ea46ee1e0f3319ab9a9baa24445531fbcb2c969",
        "https://github.com/o/r/pull/12/checks?check_run_id=1",
        "https://github.com/o/r/pull/12/changes",
        "https://github.com/o/r/pull/12?diff=split&w=1",
        "https://github.com/o/r/pull/12#issuecomment-484361618",
        "http://github.com/o/r/pull/12",
        "https://www.github.com/O/R.js/pull/12",
        "https://github.example.com/acme/app/pull/7/files",
    ],
};

/// An issue (`issues/new` and `issues/<word>` are not).
fn issue(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let (owner, name) = repo(u)?;
    match u.segments[2..] {
        ["issues", number] if is_number(number) => {
            Some(Some(item(u, owner, name, "issues", number)))
        }
        _ => None,
    }
}

const ISSUE: Predicate = Predicate {
    name: "issue",
    kind: PageKind::Issue,
    detect: issue,
    #[cfg(test)]
    samples: &[
        "https://github.com/OctoLinker/testrepo/issues/2",
        "https://github.com/o/r/issues/12/",
        "https://github.com/o/r/issues/12?notification_referrer_id=x",
        "https://github.com/o/r/issues/12#issuecomment-1",
        "http://github.example.com/acme/app/issues/3",
    ],
};

/// Pull request lists of a repository (any filter) and the global ones.
fn pr_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let global = matches!(
        u.segments[..],
        ["pulls"] | ["pulls", "assigned" | "mentioned" | "review-requested"]
    );
    let in_repo = repo(u).is_some()
        && match u.segments[2..] {
            ["pulls"] => true,
            ["pulls", "author" | "assigned" | "review-requested", who] => is_login(who),
            _ => false,
        };
    (global || in_repo).then_some(None)
}

const PR_LIST: Predicate = Predicate {
    name: "pr_list",
    kind: PageKind::PrList,
    detect: pr_list,
    #[cfg(test)]
    samples: &[
        "https://github.com/o/r/pulls",
        "https://github.com/o/r/pulls/",
        "https://github.com/o/r/pulls?q=is%3Apr+is%3Aopen+author%3Aalice",
        "https://github.com/o/r/pulls/author/alice",
        "https://github.com/pulls",
        "https://github.com/pulls/review-requested",
        "https://github.example.com/pulls/assigned",
    ],
};

/// Issue lists of a repository (any filter) and the global ones.
fn issue_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let global = matches!(
        u.segments[..],
        ["issues"] | ["issues", "assigned" | "mentioned" | "created"]
    );
    let in_repo = repo(u).is_some()
        && match u.segments[2..] {
            ["issues"] => true,
            ["issues", "created_by" | "assigned" | "mentioned", who] => is_login(who),
            _ => false,
        };
    (global || in_repo).then_some(None)
}

const ISSUE_LIST: Predicate = Predicate {
    name: "issue_list",
    kind: PageKind::IssueList,
    detect: issue_list,
    #[cfg(test)]
    samples: &[
        "https://github.com/o/r/issues",
        "https://github.com//o/r/issues//",
        "https://github.com/o/r/issues?q=is%3Aissue+label%3Abug",
        "https://github.com/o/r/issues/created_by/alice",
        "https://github.com/issues",
        "https://github.com/issues/mentioned",
        "https://github.example.com/acme/app/issues?page=2",
    ],
};

const PREDICATES: &[Predicate] = &[PULL_REQUEST, ISSUE, PR_LIST, ISSUE_LIST];

#[cfg(test)]
pub(super) const OTHER_SAMPLES: &[&str] = &[
    "https://github.com/",
    "https://github.com/o/r",
    "https://github.com/o/r/issues/new",
    "https://github.com/o/r/issues/new/choose",
    "https://github.com/o/r/issues/labels",
    "https://github.com/o/r/pull/new/feature-branch",
    "https://github.com/o/r/pull/012",
    "https://github.com/o/r/pull/12abc",
    "https://github.com/o/r/pull/12/conflicts",
    "https://github.com/o/r/compare/main...feature",
    "https://github.com/o/r/blob/main/pull/12",
    "https://github.com/o/r/tree/main/issues/3",
    "https://github.com/orgs/acme/projects/1",
    "https://github.com/settings/profile",
    "https://github.com/alice",
    "https://github.com/notifications?query=is%3Aunread",
    "https://github.example.com/acme/app",
];

use Generation::{Current, Generic, Legacy};
use PageKind::{Issue as ISSUE_PAGE, IssueList, PrList, PullRequest};

const ITEM: &[PageKind] = &[PullRequest, ISSUE_PAGE];
const LIST: &[PageKind] = &[PrList, IssueList];
/// Login from the profile link, else from a 2021+ hovercard URL.
const LINK: &[Source] = &[Source::Href, Source::Hovercard];

/// The selector table. Order is priority: an element matched by several rules takes the first
/// rule's role (a review comment's `a.author` is also inside the timeline).
const RULES: &[Rule] = &[
    // --- Current: React issue view and lists, plus markup that survived into it.
    Rule::new("viewer", Current, Role::Viewer, r#"meta[name="user-login"]"#)
        .sources(&[Source::Attr("content")]),
    Rule::new("react-issue-author", Current, Role::Author, r#"a[data-testid="issue-body-header-author"]"#)
        .sources(LINK)
        .on(ITEM),
    Rule::new(
        "react-comment-author",
        Current,
        Role::Commenter,
        r#".react-issue-comment a[data-testid="avatar-link"], [data-testid="comment-header"] a[data-testid="avatar-link"]"#,
    )
    .sources(LINK)
    .on(ITEM),
    Rule::new(
        "react-assignee",
        Current,
        Role::Assignee,
        r#"[data-testid="sidebar-assignees-section"] a[href]"#,
    )
    .sources(&[Source::Href, Source::Hovercard, Source::AvatarAlt])
    .on(ITEM),
    Rule::new(
        "react-participant",
        Current,
        Role::Participant,
        r#"[data-testid="sidebar-participants-section"] a[href]"#,
    )
    .sources(&[Source::Href, Source::Hovercard, Source::AvatarAlt])
    .on(ITEM),
    // Markdown mentions are server-rendered in every generation.
    Rule::new("mention", Current, Role::Mention, "a.user-mention").on(ITEM),
    Rule::new(
        "react-timeline-actor",
        Current,
        Role::TimelineActor,
        r#"[data-wrapper-timeline-id] a[data-hovercard-url^="/users/"]"#,
    )
    .sources(LINK)
    .on(ITEM),
    Rule::new(
        "react-list-author",
        Current,
        Role::Author,
        r#"[data-testid="list-view-item-description"] a[data-hovercard-url^="/users/"]"#,
    )
    .sources(&[Source::Hovercard, Source::Href, Source::Text])
    .on(LIST),
    Rule::new(
        "react-list-assignee",
        Current,
        Role::Assignee,
        r#"[data-testid="list-view-item-assignees"] a"#,
    )
    .sources(&[Source::Hovercard, Source::Href, Source::AvatarAlt])
    .on(LIST),
    // --- Legacy: server-rendered pages, 2019–2022 (and GitHub Enterprise Server).
    // `a.author`, not `.author`: the repository owner's `span.author` in old headers is no
    // participant.
    Rule::new("legacy-header-author", Legacy, Role::Author, "#partial-discussion-header a.author").on(ITEM),
    // Review comments sit in review threads; 2019 pages also reuse `.review-comment` for the
    // hidden copy of a minimised issue comment, which the thread containers exclude.
    Rule::new(
        "legacy-review-comment-author",
        Legacy,
        Role::ReviewCommenter,
        ".review-thread a.author, .inline-comments a.author, .js-resolvable-timeline-thread-container a.author, .file .js-comments-holder a.author",
    )
    .on(ITEM),
    // "alice reviewed" / "approved these changes": the rest of a review's header.
    Rule::new(
        "legacy-review-author",
        Legacy,
        Role::Reviewer,
        r#".discussion-item-review a.author, [id^="pullrequestreview-"] a.author"#,
    )
    .on(ITEM),
    // The group also holds the hidden copy of a minimised comment's header.
    Rule::new(
        "legacy-comment-author",
        Legacy,
        Role::Commenter,
        ".timeline-comment-header a.author, .timeline-comment-group a.author",
    )
    .on(ITEM),
    Rule::new(
        "legacy-reviewer",
        Legacy,
        Role::Reviewer,
        r#"form[aria-label="Select reviewers"] a[href]"#,
    )
    .sources(&[Source::Href, Source::AvatarAlt])
    .on(ITEM),
    Rule::new(
        "legacy-assignee",
        Legacy,
        Role::Assignee,
        r#"form[aria-label="Select assignees"] a[href], .js-issue-assignees a[href]"#,
    )
    .sources(&[Source::Href, Source::AvatarAlt])
    .on(ITEM),
    Rule::new("legacy-participant", Legacy, Role::Participant, ".participation-avatars a")
        .sources(&[Source::Href, Source::AvatarAlt])
        .on(ITEM),
    Rule::new(
        "legacy-timeline-actor",
        Legacy,
        Role::TimelineActor,
        ".discussion-item a.author, .TimelineItem a.author",
    )
    .on(ITEM),
    Rule::new(
        "legacy-commit-author",
        Legacy,
        Role::TimelineActor,
        r#".commit .AvatarStack-body a, a[data-test-selector="commits-avatar-stack-avatar-link"]"#,
    )
    .sources(&[Source::Href, Source::AvatarAlt])
    .on(ITEM),
    // List rows link the author to a filtered list, not a profile: login from the hovercard
    // (2021) or the link text (2019).
    Rule::new("legacy-list-author", Legacy, Role::Author, ".js-issue-row .opened-by a")
        .sources(&[Source::Hovercard, Source::Text])
        .on(LIST),
    Rule::new(
        "legacy-list-assignee",
        Legacy,
        Role::Assignee,
        ".js-issue-row .AvatarStack-body a",
    )
    .sources(&[Source::AvatarAlt, Source::Hovercard])
    .on(LIST),
    // --- Generic: any page shape. The repository owner (`rel=author`), organisations and the
    // app header's context links are not people on the page.
    Rule::new(
        "generic-user-hovercard",
        Generic,
        Role::Participant,
        r#"a[data-hovercard-type="user"]:not([rel~="author"]):not(.AppHeader-context-item)"#,
    )
    .sources(LINK),
    Rule::new(
        "generic-named-link",
        Generic,
        Role::Participant,
        r##"a[href]:not([href*="?"]):not([href^="#"]):not([rel~="author"]):not([data-hovercard-type="organization"]):not(.AppHeader-context-item)"##,
    )
    .confirmed(),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::sample_item_of as item_of;

    #[test]
    fn every_tab_of_a_pull_request_is_one_item() {
        let want = Some("github.com/o/r/pull/12".to_owned());
        for url in [
            "https://github.com/o/r/pull/12",
            "https://github.com/O/R/pull/12/files",
            "https://github.com/o/r/pull/12/commits/abc",
            "https://github.com/o/r/pull/12/checks",
            "https://github.com/o/r/pull/12/changes?w=1#r1",
            "http://www.github.com//o/r/pull/12/",
        ] {
            assert_eq!(item_of(url), want, "{url}");
        }
        assert_eq!(
            item_of("https://github.example.com/Acme/App/issues/3").as_deref(),
            Some("github.example.com/acme/app/issues/3")
        );
        assert_eq!(item_of("https://github.com/o/r/pulls"), None);
    }

    #[test]
    fn profile_links_name_logins_only() {
        assert_eq!(profile_handle(&["Alice-1"], ""), Some("alice-1".into()));
        for path in [
            &["apps", "dependabot"][..],
            &["orgs", "acme"],
            &["features"],
            &["ghost"],
            &["o", "r"],
        ] {
            assert_eq!(profile_handle(path, ""), None, "{path:?}");
        }
        assert_eq!(profile_handle(&["alice"], "tab=repositories"), None);
        for bad in ["dependabot[bot]", "-alice", "", "a_b", &"x".repeat(40)] {
            assert_eq!(normalize_handle(bad), None, "{bad}");
        }
    }

    #[test]
    fn item_titles_come_from_the_document_title() {
        assert_eq!(
            item_title(
                PageKind::PullRequest,
                "Update popular-cat-names.js by stefanbuck · Pull Request #1 · OctoLinker/testrepo · GitHub"
            )
            .as_deref(),
            Some("Update popular-cat-names.js")
        );
        assert_eq!(
            item_title(
                PageKind::PullRequest,
                "Built by hand · a · b by alice · Pull Request #2 · o/r"
            )
            .as_deref(),
            Some("Built by hand · a · b")
        );
        assert_eq!(
            item_title(
                PageKind::Issue,
                "Issue with some code blocks · Issue #2 · OctoLinker/testrepo · GitHub"
            )
            .as_deref(),
            Some("Issue with some code blocks")
        );
        assert_eq!(item_title(PageKind::Issue, "GitHub"), None);
        assert_eq!(item_title(PageKind::PrList, "Pull requests · o/r"), None);
    }
}
