//! The adapters against saved pages: the real ones in `../shared/fixtures/pages/` (GitHub
//! 2019–2021, GitLab 2019; see its MANIFEST.md, never copied here) and the project's own,
//! modelled on current views, in `tests/fixtures/pages/`. Each page is scanned the way the
//! content-script shim scans (`shim.rs`) and the people found are compared with the people on
//! the page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{
    classify, item_title, observed, people, roles_by_handle, sample_origins, scan_plan, shim,
    Generation, Page, PageKind, Person, Role, ScanPlan,
};
use crate::live::{Kind, Lifecycle, Observed, Source as LiveSource};
use crate::time::Timestamp;
use Role::*;

/// A real saved page; `None` (and a printed notice) when `../shared` is not beside the project.
fn shared_page(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/pages")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(html) => Some(html),
        Err(e) => {
            println!(
                "SKIPPED: saved page {} is not available ({e}); ../shared/fixtures is absent",
                path.display()
            );
            None
        }
    }
}

fn own_page(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn page_at(url: &str) -> Page {
    classify(url, &sample_origins()).unwrap_or_else(|| panic!("{url} is not a tracker page"))
}

/// The people the adapter finds on `html` served at `url`, with `keep` choosing the plan's rules.
fn scan_with(html: &str, url: &str, keep: impl Fn(&str) -> bool) -> Vec<Person> {
    let page = page_at(url);
    let mut plan: ScanPlan = scan_plan(&page);
    plan.rules.retain(|r| keep(r.id));
    people(&page, &shim::scan(html, &plan))
}

fn scan_page(html: &str, url: &str) -> Vec<Person> {
    scan_with(html, url, |_| true)
}

/// Only what survives a redesign: the viewer marker and the generic fallbacks.
fn generic_only(page: &Page) -> impl Fn(&str) -> bool {
    let rules = super::adapter(page.site).rules;
    move |id: &str| {
        rules
            .iter()
            .find(|r| r.id == id)
            .is_some_and(|r| r.generation == Generation::Generic || r.role == Viewer)
    }
}

type Expected<'a> = &'a [(&'a str, &'a [Role])];

fn expect(found: &[Person], want: Expected) {
    let got = roles_by_handle(found);
    let want: BTreeMap<String, BTreeSet<Role>> = want
        .iter()
        .map(|(h, roles)| ((*h).to_owned(), roles.iter().copied().collect()))
        .collect();
    assert_eq!(got, want);
}

fn handles(found: &[Person]) -> BTreeSet<&str> {
    found.iter().map(|p| p.handle.as_str()).collect()
}

fn name_of<'a>(found: &'a [Person], handle: &str, role: Role) -> Option<&'a str> {
    found
        .iter()
        .find(|p| p.handle == handle && p.role == role)
        .and_then(|p| p.name.as_deref())
}

fn document_title(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let title = scraper::Selector::parse("title").expect("valid selector");
    doc.select(&title)
        .next()
        .map(|t| t.text().collect())
        .unwrap_or_default()
}

const SOURCEGRAPH_PR: &str = "https://github.com/sourcegraph/sourcegraph/pull/3221";

#[test]
fn github_2019_pull_request_with_reviews_mentions_and_timeline() {
    let Some(html) = shared_page("github/pr-conversation-sourcegraph-2019-04.html") else {
        return;
    };
    let found = scan_page(&html, SOURCEGRAPH_PR);
    expect(
        &found,
        &[
            (
                "alexandnpu",
                &[
                    Author,
                    Commenter,
                    ReviewCommenter,
                    Mention,
                    Participant,
                    TimelineActor,
                ],
            ),
            (
                "beyang",
                &[
                    Reviewer,
                    Assignee,
                    Commenter,
                    ReviewCommenter,
                    Participant,
                    TimelineActor,
                ],
            ),
            ("chrismwendt", &[Participant, TimelineActor]),
        ],
    );
    // The signed-in viewer (meta user-login, avatar by the comment boxes) is no person here,
    // nor is the organisation that owns the repository.
    assert!(!handles(&found).contains("lguychard"));
    assert!(!handles(&found).contains("sourcegraph"));
    // The reviewer and the assignee come from the sidebar forms, the author from the header.
    let by = |h: &str, rule: &str| found.iter().any(|p| p.handle == h && p.rule == rule);
    assert!(by("beyang", "legacy-reviewer"));
    assert!(by("beyang", "legacy-assignee"));
    assert!(by("alexandnpu", "legacy-header-author"));
    // One person per element.
    let mut indexes: Vec<u32> = found.iter().map(|p| p.index).collect();
    indexes.dedup();
    assert_eq!(indexes.len(), found.len());
    assert_eq!(
        item_title(&page_at(SOURCEGRAPH_PR), &document_title(&html)).as_deref(),
        Some("make sourcegraph support redis password")
    );
}

#[test]
fn github_2019_pull_request_files_tab() {
    let url = "https://github.com/sourcegraph/sourcegraph/pull/3257/files";
    let Some(html) = shared_page("github/pr-files-unified-sourcegraph-2019-04.html") else {
        return;
    };
    let page = page_at(url);
    assert_eq!(
        page.item.as_ref().map(|i| i.as_str()),
        Some("github.com/sourcegraph/sourcegraph/pull/3257")
    );
    // The signed-in viewer felixfbecker appears only in the header.
    expect(&scan_page(&html, url), &[("beyang", &[Author])]);
}

#[test]
fn github_octolinker_pages_across_2019_and_2021() {
    const PR: &str = "https://github.com/OctoLinker/testrepo/pull/1";
    const FILES: &str = "https://github.com/OctoLinker/testrepo/pull/1/files";
    const ISSUE: &str = "https://github.com/OctoLinker/testrepo/issues/2";
    let conversation: &[Role] = &[
        Author,
        Reviewer,
        Commenter,
        ReviewCommenter,
        Participant,
        TimelineActor,
    ];
    let files: &[Role] = &[Author, ReviewCommenter, Participant];
    let cases: &[(&str, &str, &[Role])] = &[
        (
            "github/pr-conversation-octolinker-2021-12.html",
            PR,
            conversation,
        ),
        (
            "github/pr-conversation-octolinker-2019-10.html",
            PR,
            conversation,
        ),
        ("github/pr-files-octolinker-2021-12.html", FILES, files),
        ("github/pr-files-octolinker-2019-10.html", FILES, files),
        (
            "github/issue-octolinker-2021-12.html",
            ISSUE,
            &[Author, Commenter, Participant, TimelineActor],
        ),
        (
            "github/issue-octolinker-2019-10.html",
            ISSUE,
            &[Author, Commenter, Participant],
        ),
    ];
    for (file, url, roles) in cases {
        let Some(html) = shared_page(file) else {
            return;
        };
        let found = scan_page(&html, url);
        // The repository owner OctoLinker sits in a `span.author` header: not a person.
        expect(&found, &[("stefanbuck", roles)]);
        let title = item_title(&page_at(url), &document_title(&html));
        let want = if url == &ISSUE {
            "Issue with some code blocks"
        } else {
            "Update popular-cat-names.js"
        };
        assert_eq!(title.as_deref(), Some(want), "{file}");
    }
}

#[test]
fn gitlab_2019_merge_request_changes_tab_in_the_old_url_form() {
    let url = "https://gitlab.com/sourcegraph/jsonrpc2/merge_requests/1/diffs";
    let Some(html) = shared_page("gitlab/mr-changes-tab-sourcegraph-2019.html") else {
        return;
    };
    let page = page_at(url);
    assert_eq!(page.kind, PageKind::MergeRequest);
    assert_eq!(
        page.item.as_ref().map(|i| i.as_str()),
        Some("gitlab.com/sourcegraph/jsonrpc2/-/merge_requests/1")
    );
    let found = scan_page(&html, url);
    // The group `sourcegraph` (breadcrumb) is no person.
    expect(&found, &[("felixfbecker", &[Author, Participant])]);
    assert_eq!(
        name_of(&found, "felixfbecker", Author),
        Some("Felix Becker")
    );
    assert_eq!(
        item_title(&page, &document_title(&html)).as_deref(),
        Some("Test Merge Request")
    );
}

/// A redesign that breaks every specific selector must cost roles, not people: the generic
/// rules alone find the same people on the real pages, and nobody else.
#[test]
fn generic_rules_alone_find_the_same_people_on_real_pages() {
    for (file, url) in [
        (
            "github/pr-conversation-sourcegraph-2019-04.html",
            SOURCEGRAPH_PR,
        ),
        (
            "github/pr-conversation-octolinker-2021-12.html",
            "https://github.com/OctoLinker/testrepo/pull/1",
        ),
        (
            "github/issue-octolinker-2019-10.html",
            "https://github.com/OctoLinker/testrepo/issues/2",
        ),
        (
            "gitlab/mr-changes-tab-sourcegraph-2019.html",
            "https://gitlab.com/sourcegraph/jsonrpc2/merge_requests/1/diffs",
        ),
    ] {
        let Some(html) = shared_page(file) else {
            return;
        };
        let full = scan_page(&html, url);
        let generic = scan_with(&html, url, generic_only(&page_at(url)));
        assert!(!generic.is_empty(), "{file}");
        assert_eq!(handles(&generic), handles(&full), "{file}");
        assert!(generic.iter().all(|p| p.role == Participant), "{file}");
    }
}

#[test]
fn github_react_issue_view() {
    let url = "https://github.com/acme/widgets/issues/42";
    let html = own_page("github/issue-react-2024.html");
    let found = scan_page(&html, url);
    expect(
        &found,
        &[
            ("ada", &[Author, Participant]),
            ("bob", &[Commenter]),
            ("carol", &[Commenter]),
            ("dave", &[Assignee]),
            ("erin", &[TimelineActor]),
            ("frank", &[Mention]),
            ("gina", &[Participant]),
        ],
    );
    assert_eq!(
        item_title(&page_at(url), &document_title(&html)).as_deref(),
        Some("Widget crashes on resize")
    );
}

#[test]
fn github_pull_request_lists_react_and_legacy() {
    let react = scan_page(
        &own_page("github/pr-list-react-2024.html"),
        "https://github.com/acme/widgets/pulls",
    );
    expect(
        &react,
        &[
            ("ada", &[Author]),
            ("bob", &[Author]),
            ("carol", &[Assignee]),
            ("dave", &[Assignee]),
        ],
    );
    let legacy = scan_page(
        &own_page("github/issue-list-legacy-2021.html"),
        "https://github.example.com/acme/app/issues",
    );
    // 2021 rows name the author in the hovercard URL, 2019 rows only in the link text.
    expect(
        &legacy,
        &[
            ("ada", &[Author]),
            ("bob", &[Author]),
            ("carol", &[Assignee]),
        ],
    );
}

#[test]
fn a_page_with_only_generic_profile_links_still_yields_its_people() {
    let url = "https://github.example.com/acme/app/pull/9/files";
    let html = own_page("github/pr-generic-only.html");
    let found = scan_page(&html, url);
    // ada by link text, bob by avatar alt, carol by an absolute link reading @carol. Not the
    // viewer zed, the owner acme, GitHub's pages, teams, apps, profile tabs, or "Dave's profile".
    expect(
        &found,
        &[
            ("ada", &[Participant]),
            ("bob", &[Participant]),
            ("carol", &[Participant]),
        ],
    );
    assert_eq!(
        item_title(&page_at(url), &document_title(&html)).as_deref(),
        Some("Faster builds")
    );
}

#[test]
fn gitlab_16_merge_request_on_a_nested_self_managed_project() {
    let url = "https://gitlab.example.org/team/sub/app/-/merge_requests/12";
    let html = own_page("gitlab/mr-overview-16.html");
    let found = scan_page(&html, url);
    expect(
        &found,
        &[
            ("ana", &[Author, Participant]),
            ("ben", &[Reviewer]),
            ("cleo", &[Assignee]),
            ("dan", &[Commenter, Participant]),
            ("eve", &[ReviewCommenter]),
            ("fay", &[TimelineActor]),
            ("gus", &[Mention]),
            ("hal", &[Participant]),
        ],
    );
    assert_eq!(name_of(&found, "ana", Author), Some("Ana Lima"));
    assert_eq!(name_of(&found, "cleo", Assignee), Some("Cleo Ray"));
    assert_eq!(
        item_title(&page_at(url), &document_title(&html)).as_deref(),
        Some("Speed up CI")
    );
}

#[test]
fn gitlab_merge_request_list_under_a_relative_url_root() {
    let found = scan_page(
        &own_page("gitlab/mr-list-16.html"),
        "https://corp.example/gitlab/team/app/-/merge_requests",
    );
    expect(
        &found,
        &[
            ("ana", &[Author]),
            ("ben", &[Author]),
            ("cleo", &[Assignee]),
        ],
    );
}

const ANA: &str = "5b10ac8d82e05b22cc7d4ef5";
const BEN: &str = "557058:0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const CLEO: &str = "6123abcd0123abcd0123abcd";
const DAN: &str = "712020:11112222-3333-4444-5555-666677778888";

#[test]
fn jira_cloud_issue_page_and_board_side_panel() {
    let html = own_page("jira/cloud-issue-view.html");
    for url in [
        "https://acme.atlassian.net/browse/KEY-1",
        "https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1",
    ] {
        let page = page_at(url);
        assert_eq!(
            page.item.as_ref().map(|i| i.as_str()),
            Some("acme.atlassian.net/browse/KEY-1")
        );
        let found = scan_page(&html, url);
        expect(
            &found,
            &[
                (ANA, &[Assignee]),
                (BEN, &[Reporter, Commenter]),
                (CLEO, &[Commenter]),
                (DAN, &[Mention]),
            ],
        );
        // Account ids identify; display names ride along for rosters that list names.
        assert_eq!(name_of(&found, ANA, Assignee), Some("Ana Lima"));
        assert_eq!(name_of(&found, DAN, Mention), Some("Dan Ortiz"));
        assert_eq!(name_of(&found, CLEO, Commenter), Some("Cleo Ray"));
    }
    assert_eq!(
        item_title(
            &page_at("https://acme.atlassian.net/browse/KEY-1"),
            &document_title(&html)
        )
        .as_deref(),
        Some("Login fails on Safari")
    );
}

#[test]
fn jira_data_center_issue_under_a_context_path() {
    let url = "https://jira.corp.example/jira/browse/KEY-1";
    let html = own_page("jira/dc-issue.html");
    let found = scan_page(&html, url);
    expect(
        &found,
        &[
            ("jdoe", &[Assignee]),
            ("asmith", &[Reporter, Commenter]),
            ("bob.lee@corp", &[Commenter]),
            ("cwong", &[Mention]),
        ],
    );
    assert_eq!(name_of(&found, "jdoe", Assignee), Some("John Doe"));
    assert_eq!(
        item_title(&page_at(url), &document_title(&html)).as_deref(),
        Some("Export times out")
    );
}

#[test]
fn linear_issue_page_and_side_panel() {
    let html = own_page("linear/issue.html");
    for url in [
        "https://linear.app/acme/issue/ENG-7/fix-the-login-bug",
        "https://linear.app/acme/team/ENG/active?peek=ENG-7",
    ] {
        assert_eq!(
            page_at(url).item.as_ref().map(|i| i.as_str()),
            Some("linear.app/acme/issue/ENG-7")
        );
        let found = scan_page(&html, url);
        expect(
            &found,
            &[
                ("alice", &[Assignee]),
                ("bruno", &[Creator]),
                ("chen", &[Commenter]),
                ("dora", &[Mention]),
            ],
        );
        assert_eq!(name_of(&found, "alice", Assignee), Some("Alice Martin"));
    }
}

/// Own fixtures through the generic rules alone: the people stay, the roles go.
#[test]
fn generic_rules_alone_still_find_people_on_every_current_view() {
    for (file, url) in [
        (
            "github/issue-react-2024.html",
            "https://github.com/acme/widgets/issues/42",
        ),
        (
            "gitlab/mr-overview-16.html",
            "https://gitlab.example.org/team/sub/app/-/merge_requests/12",
        ),
        (
            "jira/cloud-issue-view.html",
            "https://acme.atlassian.net/browse/KEY-1",
        ),
        (
            "jira/dc-issue.html",
            "https://jira.corp.example/jira/browse/KEY-1",
        ),
        ("linear/issue.html", "https://linear.app/acme/issue/ENG-7"),
    ] {
        let html = own_page(file);
        let full = handles(&scan_page(&html, url))
            .into_iter()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>();
        let generic = scan_with(&html, url, generic_only(&page_at(url)));
        let generic: BTreeSet<String> = generic.iter().map(|p| p.handle.clone()).collect();
        assert!(
            generic.is_subset(&full),
            "{file}: {generic:?} not within {full:?}"
        );
        assert!(
            generic.len() * 2 >= full.len(),
            "{file}: only {generic:?} of {full:?}"
        );
    }
}

/// The shim sends identical descriptors once (`also`): every element is still named, by the
/// same person in the same role, as when each element travels on its own; and the grouping
/// saves something on the pages that repeat people.
#[test]
fn grouped_descriptors_name_every_element_as_single_ones_do() {
    let own = [
        (
            "github/issue-react-2024.html",
            "https://github.com/acme/widgets/issues/42",
        ),
        (
            "github/pr-list-react-2024.html",
            "https://github.com/acme/widgets/pulls",
        ),
        (
            "gitlab/mr-overview-16.html",
            "https://gitlab.example.org/team/sub/app/-/merge_requests/12",
        ),
        (
            "jira/cloud-issue-view.html",
            "https://acme.atlassian.net/browse/KEY-1",
        ),
        ("linear/issue.html", "https://linear.app/acme/issue/ENG-7"),
    ];
    let real = [
        (
            "github/pr-conversation-sourcegraph-2019-04.html",
            SOURCEGRAPH_PR,
        ),
        (
            "github/issue-octolinker-2019-10.html",
            "https://github.com/OctoLinker/testrepo/issues/2",
        ),
    ];
    let pages = own
        .iter()
        .map(|&(file, url)| (file, Some(own_page(file)), url))
        .chain(
            real.iter()
                .map(|&(file, url)| (file, shared_page(file), url)),
        );
    let (mut sent, mut elements) = (0, 0);
    for (file, html, url) in pages {
        let Some(html) = html else { continue };
        let page = page_at(url);
        let plan = scan_plan(&page);
        let (grouped, each) = (shim::scan(&html, &plan), shim::scan_each(&html, &plan));
        assert_eq!(
            grouped.iter().map(|d| 1 + d.also.len()).sum::<usize>(),
            each.len(),
            "{file}"
        );
        assert_eq!(people(&page, &grouped), people(&page, &each), "{file}");
        sent += grouped.len();
        elements += each.len();
    }
    assert!(
        sent < elements,
        "{sent} descriptors for {elements} elements"
    );
}

/// The item's state as a page shows it, scanned as the shim scans.
fn state_of(html: &str, url: &str) -> Option<Observed> {
    let page = page_at(url);
    observed(&page, &shim::scan(html, &scan_plan(&page)), Timestamp(7))
}

type Shown<'a> = (Lifecycle, Option<&'a str>, Option<&'a [&'a str]>);

fn assert_state(
    found: Option<Observed>,
    kind: Kind,
    (lifecycle, title, assignees): Shown,
    what: &str,
) {
    let o = found.unwrap_or_else(|| panic!("{what}: no state found"));
    assert_eq!((o.kind, o.lifecycle), (kind, lifecycle), "{what}");
    assert_eq!(o.title.as_deref(), title, "{what}");
    let want = assignees.map(|a| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert_eq!(o.assignees, want, "{what}");
    assert_eq!(
        (o.source, o.observed_at),
        (LiveSource::Page, Timestamp(7)),
        "{what}"
    );
    // A page says nothing of CI, reviews or who ended it: unknown, not guessed.
    assert_eq!(
        (o.checks, o.review, o.ended_at),
        (None, None, None),
        "{what}"
    );
}

/// The real saved pages' open, merged and closed markers: the header's state label, not the
/// sticky header's copy nor a linked item's small label in the timeline (the 2021 issue
/// links a merged pull request; the 2019 closed PR links open ones).
#[test]
fn page_state_from_the_real_saved_pages() {
    const OCTO_PR: &str = "https://github.com/OctoLinker/testrepo/pull/1";
    const OCTO_ISSUE: &str = "https://github.com/OctoLinker/testrepo/issues/2";
    let none: &[&str] = &[];
    let cases: &[(&str, &str, Kind, Shown)] = &[
        (
            "github/pr-conversation-sourcegraph-2019-04.html",
            SOURCEGRAPH_PR,
            Kind::Change,
            (
                Lifecycle::Closed,
                Some("make sourcegraph support redis password"),
                Some(&["beyang"]),
            ),
        ),
        (
            "github/pr-files-unified-sourcegraph-2019-04.html",
            "https://github.com/sourcegraph/sourcegraph/pull/3257/files",
            Kind::Change,
            (
                Lifecycle::Merged,
                Some("gitserver: Use opentracing for exec endpoint"),
                None,
            ),
        ),
        (
            "github/pr-conversation-octolinker-2019-10.html",
            OCTO_PR,
            Kind::Change,
            (
                Lifecycle::Open,
                Some("Update popular-cat-names.js"),
                Some(none),
            ),
        ),
        (
            "github/pr-conversation-octolinker-2021-12.html",
            OCTO_PR,
            Kind::Change,
            (
                Lifecycle::Open,
                Some("Update popular-cat-names.js"),
                Some(none),
            ),
        ),
        (
            "github/pr-files-octolinker-2021-12.html",
            "https://github.com/OctoLinker/testrepo/pull/1/files",
            Kind::Change,
            (Lifecycle::Open, Some("Update popular-cat-names.js"), None),
        ),
        (
            "github/issue-octolinker-2019-10.html",
            OCTO_ISSUE,
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Issue with some code blocks"),
                Some(none),
            ),
        ),
        (
            "github/issue-octolinker-2021-12.html",
            OCTO_ISSUE,
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Issue with some code blocks"),
                Some(none),
            ),
        ),
        (
            "gitlab/mr-changes-tab-sourcegraph-2019.html",
            "https://gitlab.com/sourcegraph/jsonrpc2/merge_requests/1/diffs",
            Kind::Change,
            // The sidebar's assignee block says "0 Assignees".
            (Lifecycle::Open, Some("Test Merge Request"), Some(none)),
        ),
    ];
    for (file, url, kind, shown) in cases {
        let Some(html) = shared_page(file) else {
            return;
        };
        assert_state(state_of(&html, url), *kind, *shown, file);
    }
}

/// The project's own pages of the current views, each with a state marker modelled on the
/// product's (see each file's header).
#[test]
fn page_state_from_the_projects_own_pages() {
    let cases: &[(&str, &str, Kind, Shown)] = &[
        (
            "github/issue-react-2024.html",
            "https://github.com/acme/widgets/issues/42",
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Widget crashes on resize"),
                Some(&["dave"]),
            ),
        ),
        (
            "gitlab/mr-overview-16.html",
            "https://gitlab.example.org/team/sub/app/-/merge_requests/12",
            Kind::Change,
            (Lifecycle::Merged, Some("Speed up CI"), Some(&["cleo"])),
        ),
        (
            "jira/cloud-issue-view.html",
            "https://acme.atlassian.net/browse/KEY-1",
            Kind::Issue,
            (
                Lifecycle::Closed,
                Some("Login fails on Safari"),
                Some(&["Ana Lima"]),
            ),
        ),
        (
            "jira/cloud-issue-view.html",
            "https://acme.atlassian.net/jira/software/projects/KEY/boards/1?selectedIssue=KEY-1",
            Kind::Issue,
            (
                Lifecycle::Closed,
                Some("Login fails on Safari"),
                Some(&["Ana Lima"]),
            ),
        ),
        (
            "jira/dc-issue.html",
            "https://jira.corp.example/jira/browse/KEY-1",
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Export times out"),
                Some(&["John Doe"]),
            ),
        ),
        (
            "linear/issue.html",
            "https://linear.app/acme/issue/ENG-7/fix-the-login-bug",
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Fix the login bug"),
                Some(&["Alice Martin"]),
            ),
        ),
        (
            "linear/issue.html",
            "https://linear.app/acme/team/ENG/active?peek=ENG-7",
            Kind::Issue,
            (
                Lifecycle::Open,
                Some("Fix the login bug"),
                Some(&["Alice Martin"]),
            ),
        ),
    ];
    for (file, url, kind, shown) in cases {
        assert_state(state_of(&own_page(file), url), *kind, *shown, file);
    }
    // No item, or no state label: no observation.
    assert_eq!(
        state_of(
            &own_page("github/pr-list-react-2024.html"),
            "https://github.com/acme/widgets/pulls"
        ),
        None
    );
    assert_eq!(
        state_of(
            &own_page("github/pr-generic-only.html"),
            "https://github.example.com/acme/app/pull/9/files"
        ),
        None
    );
    // The state rules run on item pages only, and name nobody.
    let list = scan_plan(&page_at("https://github.com/acme/widgets/pulls"));
    assert!(list.rules.iter().all(|r| r.role.is_some()));
    let item = page_at("https://github.com/acme/widgets/issues/42");
    let html = own_page("github/issue-react-2024.html");
    let mut people_only = scan_plan(&item);
    people_only.rules.retain(|r| r.role.is_some());
    assert_eq!(
        people(&item, &shim::scan(&html, &scan_plan(&item))),
        people(&item, &shim::scan(&html, &people_only))
    );
}
