//! Linear (`linear.app/<workspace>/…`).
//!
//! An issue is `linear.app/<workspace>/issue/KEY-7`; the slug after the key is decoration. Side
//! panels: an issue opened over a list (team views, My issues, a project's issues, a custom
//! view, the inbox) is read from the `peek=KEY-7` query parameter — the convention this adapter
//! picks; a panel the URL does not name gives the page no item, and its people still come from
//! the generic rules.
//!
//! Linear ships generated class names, so the rules key on profile links
//! (`/<workspace>/profiles/<username>`), ARIA labels and `data-*` attributes only.

use super::url::{issue_key, SiteUrl};
use super::{
    status_name, Adapter, Generation, ItemRef, PageKind, Predicate, Reads, Role, Rule, Site,
    Source, StateRule,
};
use crate::live::Lifecycle;

pub static ADAPTER: Adapter = Adapter::new(
    Site::Linear,
    PREDICATES,
    RULES,
    profile_handle,
    normalize_handle,
    item_title,
)
.states(STATES, lifecycle)
.display_names();

/// The issue's own state: the Status property row, the title (the main heading), the Assignee
/// row (labelled for assistive technology, as the people's rules rely on).
const STATES: &[StateRule] = &[
    StateRule::new(
        "status",
        Reads::Label,
        r#"[aria-label="Issue properties"] [aria-label="Status"]"#,
    ),
    StateRule::new("title", Reads::Title, "main h1"),
    StateRule::new(
        "assignee-row",
        Reads::Assignees,
        r#"[aria-label="Issue properties"] [aria-label="Assignee"]"#,
    ),
];

/// Linear's completed and canceled states as it names them by default.
const CLOSING: &[&str] = &["done", "completed", "canceled", "cancelled", "duplicate"];

fn lifecycle(_kind: PageKind, label: &str, _title: Option<&str>) -> Option<Lifecycle> {
    status_name(label, CLOSING)
}

fn profile_handle(path: &[&str], query: &str) -> Option<String> {
    match path {
        [workspace, "profiles", username] if query.is_empty() && is_workspace(workspace) => {
            normalize_handle(username)
        }
        _ => None,
    }
}

fn normalize_handle(raw: &str) -> Option<String> {
    let name = raw.to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then_some(name)
}

fn item_title(kind: PageKind, document_title: &str) -> Option<String> {
    // "ENG-7 Fix the login bug" (a list with a peeked issue is titled by the list).
    if kind != PageKind::Issue {
        return None;
    }
    let (key, title) = document_title.trim().split_once(' ')?;
    issue_key(key)?;
    Some(title.to_owned())
}

/// Workspace URL keys: lower-case letters, digits and `-`; never one of Linear's own pages.
fn is_workspace(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !RESERVED.contains(&s)
}

const RESERVED: &[&str] = &[
    "about",
    "api",
    "changelog",
    "contact",
    "customers",
    "docs",
    "download",
    "features",
    "homepage",
    "integrations",
    "join",
    "login",
    "logout",
    "method",
    "pricing",
    "signup",
];

fn issue_ref(u: &SiteUrl, workspace: &str, key: &str) -> ItemRef {
    ItemRef::new(&u.root, &[workspace, "issue", key])
}

/// The workspace in the first segment, lower-cased (URL keys are).
fn workspace(u: &SiteUrl) -> Option<String> {
    let ws = u.seg(0)?.to_ascii_lowercase();
    is_workspace(&ws).then_some(ws)
}

/// An issue page, with or without its slug.
fn issue(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let ws = workspace(u)?;
    let key = match u.segments[1..] {
        ["issue", key] | ["issue", key, _] => issue_key(key)?,
        _ => return None,
    };
    Some(Some(issue_ref(u, &ws, &key)))
}

const ISSUE: Predicate = Predicate {
    name: "issue",
    kind: PageKind::Issue,
    detect: issue,
    #[cfg(test)]
    samples: &[
        "https://linear.app/acme/issue/ENG-7",
        "https://linear.app/acme/issue/ENG-7/fix-the-login-bug",
        "https://linear.app/acme/issue/eng-7/fix-the-login-bug/",
        "https://linear.app//acme//issue//ENG-7",
        "https://linear.app/acme/issue/ENG-7/fix-the-login-bug#comment-1a2b3c",
        "https://linear.app/acme/issue/ENG-7?noRedirect=1",
    ],
};

/// A list of issues, with the issue open in its side panel (`peek=`) if any.
fn issue_list(u: &SiteUrl) -> Option<Option<ItemRef>> {
    let ws = workspace(u)?;
    let is_list = matches!(
        u.segments[1..],
        ["team", _, _]
            | ["team", _, "view", _]
            | ["my-issues"]
            | ["my-issues", _]
            | ["project", _, "issues"]
            | ["view", _]
            | ["inbox"]
            | ["inbox", _]
    );
    is_list.then(|| {
        let key = issue_key(u.query_param("peek")?)?;
        Some(issue_ref(u, &ws, &key))
    })
}

const ISSUE_LIST: Predicate = Predicate {
    name: "issue_list",
    kind: PageKind::IssueList,
    detect: issue_list,
    #[cfg(test)]
    samples: &[
        "https://linear.app/acme/team/ENG/active",
        "https://linear.app/acme/team/ENG/all?peek=ENG-7",
        "https://linear.app/acme/team/ENG/view/bugs-1a2b3c",
        "https://linear.app/acme/my-issues/assigned",
        "https://linear.app/acme/project/launch-9f8e7d/issues?peek=ENG-8",
        "https://linear.app/acme/view/triage-queue-5c4d",
        "https://linear.app/acme/inbox/",
    ],
};

const PREDICATES: &[Predicate] = &[ISSUE, ISSUE_LIST];

#[cfg(test)]
pub(super) const OTHER_SAMPLES: &[&str] = &[
    "https://linear.app/",
    "https://linear.app/login",
    "https://linear.app/acme",
    "https://linear.app/acme/issue/ENG",
    "https://linear.app/acme/issue/ENG-7/slug/extra",
    "https://linear.app/acme/issue/new",
    "https://linear.app/acme/profiles/alice",
    "https://linear.app/acme/project/launch-9f8e7d/overview?peek=ENG-7",
    "https://linear.app/acme/settings/account",
    "https://linear.app/pricing/issue/ENG-7",
];

use Generation::{Current, Generic};
use PageKind::{Issue as ISSUE_PAGE, IssueList};

const ITEM: &[PageKind] = &[ISSUE_PAGE, IssueList];

const RULES: &[Rule] = &[
    // --- Current: the issue view and its side panel. Property rows are labelled for
    // assistive technology; their people are profile links.
    Rule::new(
        "assignee",
        Current,
        Role::Assignee,
        r#"[aria-label="Assignee"] a[href*="/profiles/"]"#,
    )
    .text()
    .on(ITEM),
    Rule::new(
        "creator",
        Current,
        Role::Creator,
        r#"[aria-label="Creator"] a[href*="/profiles/"], [data-activity-type="created"] a[href*="/profiles/"]"#,
    )
    .text()
    .on(ITEM),
    Rule::new(
        "mention",
        Current,
        Role::Mention,
        r#"a.mention[href*="/profiles/"], [data-type="mention"][href*="/profiles/"]"#,
    )
    .sources(&[Source::Href, Source::Text])
    .on(ITEM),
    Rule::new(
        "comment-author",
        Current,
        Role::Commenter,
        r#"[data-comment-id] a[href*="/profiles/"]"#,
    )
    .text()
    .on(ITEM),
    // --- Generic: any profile link.
    Rule::new("generic-profile-link", Generic, Role::Participant, r#"a[href*="/profiles/"]"#).text(),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::classify;

    #[test]
    fn issue_pages_and_peeks_are_one_item() {
        let want = Some("linear.app/acme/issue/ENG-7".to_owned());
        for url in [
            "https://linear.app/acme/issue/ENG-7",
            "https://linear.app/Acme/issue/eng-7/some-slug",
            "https://linear.app/acme/team/ENG/active?peek=ENG-7",
        ] {
            let item = classify(url, &[])
                .and_then(|p| p.item)
                .map(|i| i.as_str().to_owned());
            assert_eq!(item, want, "{url}");
        }
        let page = classify("https://linear.app/acme/team/ENG/active?peek=nope", &[]).unwrap();
        assert_eq!((page.kind, page.item), (PageKind::IssueList, None));
    }

    #[test]
    fn profile_links_and_titles() {
        assert_eq!(
            profile_handle(&["acme", "profiles", "Alice.B"], ""),
            Some("alice.b".into())
        );
        assert_eq!(profile_handle(&["acme", "issue", "ENG-7"], ""), None);
        assert_eq!(profile_handle(&["login", "profiles", "x"], ""), None);
        assert_eq!(
            item_title(PageKind::Issue, "ENG-7 Fix the login bug").as_deref(),
            Some("Fix the login bug")
        );
        assert_eq!(item_title(PageKind::Issue, "Inbox"), None);
    }
}
