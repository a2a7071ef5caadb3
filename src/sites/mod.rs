//! Site adapters: which tracker a URL is on, which kind of page it shows and which item, and who
//! is on the page. Pure: no DOM here (DESIGN.md §1, "Where the wasm runs").
//!
//! GitHub's CSP forbids compiling wasm in a content script, so the content script is a generic
//! shim and every decision stays here. The round trip is:
//!
//! 1. The worker classifies the tab's URL ([`classify`]) and sends the shim the page's
//!    [`ScanPlan`] ([`scan_plan`]): rules of `{ id, selector, attrs, text, inner }`.
//! 2. The shim runs each rule in order, in plain DOM terms:
//!    ```text
//!    for rule of plan.rules:
//!      for el of document.querySelectorAll(rule.selector):
//!        index = position of el in `seen` (push it when new)   // one index per element
//!        attrs = { a: el.getAttribute(a) for a of rule.attrs when present }
//!        text  = rule.text ? el.textContent.trim().slice(0, plan.text_limit) : null
//!        inner = rule.inner ? attributes rule.inner.attrs of el.querySelector(rule.inner.selector) : {}
//!        send { rule: rule.id, index, attrs, text, inner }
//!    ```
//!    and returns the [`Descriptor`]s, identical ones once: the first with the other elements'
//!    indices in `also` (a person's link in each of their comments is one descriptor).
//! 3. [`people`] turns descriptors into [`Person`]s: one per element, from the first rule (in
//!    table order) that yields a valid handle, with non-persons (organisations, apps, the
//!    signed-in viewer's own avatar by the comment box, …) dropped.
//!
//! Each site's rules form one table in generations, newest first, ending with generic fallbacks
//! (a profile link whose text or avatar names the login), so a redesign costs roles, not people.
//!
//! Each URL predicate carries its sample URLs; one test runs every sample against every
//! predicate of every site (github-url-detection's idea, STYLE.md).

pub mod github;
pub mod gitlab;
pub mod jira;
pub mod linear;
pub mod url;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod shim;

#[cfg(test)]
use std::collections::{BTreeMap, BTreeSet};

use crate::live::{handles, Kind, Lifecycle, Observed, Source as LiveSource};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub use url::SiteUrl;

/// The trackers StandIn knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Site {
    GitHub,
    GitLab,
    Jira,
    Linear,
}

impl Site {
    pub const ALL: [Site; 4] = [Site::GitHub, Site::GitLab, Site::Jira, Site::Linear];
}

/// What a page shows; it picks the scan plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    /// GitHub pull request, any tab.
    PullRequest,
    /// GitLab merge request, any tab.
    MergeRequest,
    /// GitHub, GitLab or Linear issue.
    Issue,
    /// Jira issue.
    Ticket,
    PrList,
    MrList,
    IssueList,
    /// Jira board or backlog.
    Board,
    /// Any other page of a known site: only the generic rules run.
    Other,
}

/// The canonical reference of one item, however its URL is spelled: `github.com/o/r/pull/12`,
/// `gitlab.example.com/g/sub/p/-/merge_requests/3`, `acme.atlassian.net/browse/KEY-1`,
/// `linear.app/acme/issue/ENG-7`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemRef(String);

impl ItemRef {
    /// `root` (host and context path) followed by `parts` as path segments.
    pub fn new(root: &str, parts: &[&str]) -> Self {
        let mut s = String::from(root);
        for p in parts {
            s.push('/');
            s.push_str(p);
        }
        ItemRef(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A classified page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub site: Site,
    pub kind: PageKind,
    /// The item the page is about (also when it is open in a side panel over a list or board).
    pub item: Option<ItemRef>,
    /// Host, port and context path the page's links are read against (`jira.corp/jira`).
    pub root: String,
}

/// A self-hosted tracker the user enabled in options (optional host permission granted):
/// GitHub Enterprise, self-managed GitLab, Jira Server/Data Center.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub site: Site,
    /// Scheme, host, port and context path: `https://jira.corp/jira`. The scheme is not compared.
    pub base: String,
}

impl Origin {
    pub fn new(site: Site, base: &str) -> Self {
        Origin {
            site,
            base: base.to_owned(),
        }
    }
}

/// Why someone is on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Author,
    Reviewer,
    Assignee,
    Commenter,
    /// Wrote a comment on a diff line (GitHub review comment, GitLab diff note).
    ReviewCommenter,
    Mention,
    Participant,
    /// Acted in the timeline: pushed commits, labelled, referenced, closed…
    TimelineActor,
    /// Jira reporter.
    Reporter,
    /// Linear creator.
    Creator,
    /// The signed-in user as the page names them (GitHub's `meta[name=user-login]`): not a
    /// person on the page. Only used to drop their own avatar (by the comment box) from generic
    /// matches; never returned by [`people`].
    Viewer,
}

/// How old the page shape a rule targets is; tables list rules in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Generation {
    /// The site's current views (GitHub React, GitLab 16+, Jira Cloud's issue view, Linear).
    Current,
    /// Server-rendered pages still served by older installations (GitHub 2019–2022, GHES).
    Legacy,
    /// Shape-independent fallbacks: profile links naming their login.
    Generic,
}

/// Where a rule finds the handle in what the shim read; tried in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The site's profile link in `href` (GitHub `/login`, Jira `/jira/people/<id>`, …).
    Href,
    /// An attribute holding the handle itself (GitLab `data-username`, Jira DC `rel`).
    Attr(&'static str),
    /// GitHub's hovercard URL, `/users/<login>/hovercard` (the 2019 `?user_id=` form names no
    /// login and is skipped).
    Hovercard,
    /// An avatar's `alt` (`@login`) on the first descendant `img`.
    AvatarAlt,
    /// The element's text (`login` or `@login`).
    Text,
}

/// One row of a site's selector table.
#[derive(Debug)]
pub struct Rule {
    /// Unique within the site; the shim echoes it back.
    pub id: &'static str,
    /// A CSS selector understood by browsers and by the `scraper` crate used in tests.
    pub selector: &'static str,
    pub role: Role,
    pub generation: Generation,
    /// Handle sources, tried in order.
    pub sources: &'static [Source],
    /// Read the text too: as a handle source, and as the display name when it is not the handle.
    pub read_text: bool,
    /// Only when the text or avatar `alt` names the same login as the link: the guard that makes
    /// a generic "any link" rule safe.
    pub confirm: bool,
    /// Page kinds the rule runs on; empty means every page of the site.
    pub on: &'static [PageKind],
}

impl Rule {
    /// A rule with the common defaults: the profile link in `href`, text not read, any page.
    pub const fn new(
        id: &'static str,
        generation: Generation,
        role: Role,
        selector: &'static str,
    ) -> Self {
        Rule {
            id,
            selector,
            role,
            generation,
            sources: &[Source::Href],
            read_text: false,
            confirm: false,
            on: &[],
        }
    }

    pub const fn sources(mut self, sources: &'static [Source]) -> Self {
        self.sources = sources;
        self
    }

    pub const fn text(mut self) -> Self {
        self.read_text = true;
        self
    }

    pub const fn on(mut self, kinds: &'static [PageKind]) -> Self {
        self.on = kinds;
        self
    }

    /// A generic fallback: any profile link whose text or avatar names the login it links to.
    pub const fn confirmed(mut self) -> Self {
        self.confirm = true;
        self.read_text = true;
        self
    }

    fn applies_to(&self, kind: PageKind) -> bool {
        self.on.is_empty() || self.on.contains(&kind)
    }

    fn needs_inner(&self) -> bool {
        self.confirm || self.sources.contains(&Source::AvatarAlt)
    }

    fn reads_text(&self) -> bool {
        self.read_text || self.sources.contains(&Source::Text)
    }

    /// The attributes the shim must read for this rule.
    fn attrs(&self) -> Vec<&'static str> {
        let mut attrs = Vec::new();
        for s in self.sources {
            let attr = match s {
                Source::Href => "href",
                Source::Attr(a) => a,
                Source::Hovercard => "data-hovercard-url",
                Source::AvatarAlt | Source::Text => continue,
            };
            if !attrs.contains(&attr) {
                attrs.push(attr);
            }
        }
        attrs
    }
}

/// What the shim receives: the rules to run on this page, in priority order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanPlan {
    pub rules: Vec<PlanRule>,
    /// Longest text the shim sends per element (bigger containers are not names).
    pub text_limit: usize,
}

/// One rule as the shim sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanRule {
    pub id: &'static str,
    pub selector: &'static str,
    pub attrs: Vec<&'static str>,
    pub text: bool,
    pub inner: Option<InnerRead>,
    /// The role of the people it finds; `None` for a [`StateRule`].
    pub role: Option<Role>,
}

/// What a [`StateRule`] reads about the item itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The state label: open, draft, merged, closed, or a tracker's status name.
    Label,
    Title,
    /// The assignee list: there, it says who is assigned, nobody included (the people's
    /// rules name them); absent, the page says nothing about assignees.
    Assignees,
}

/// A rule about the page's item, not a person (issue 16, live state without an account):
/// runs on item pages after the people's rules, and gives its element's text. The first
/// element any rule of a kind matches counts; rules of a kind are listed newest page shape
/// first, as the people's are.
#[derive(Debug)]
pub struct StateRule {
    /// Unique within the site, and apart from its people's rules.
    pub id: &'static str,
    pub reads: Reads,
    /// A CSS selector (browsers and `scraper` alike).
    pub selector: &'static str,
}

impl StateRule {
    pub const fn new(id: &'static str, reads: Reads, selector: &'static str) -> StateRule {
        StateRule {
            id,
            reads,
            selector,
        }
    }

    fn plan(&self) -> PlanRule {
        PlanRule {
            id: self.id,
            selector: self.selector,
            attrs: Vec::new(),
            text: true,
            inner: None,
            role: None,
        }
    }
}

/// Attributes to read from the element's first descendant matching `selector`: an avatar's
/// `alt` inside a profile link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InnerRead {
    pub selector: &'static str,
    pub attrs: Vec<&'static str>,
}

/// The longest text the shim sends for one element.
pub const TEXT_LIMIT: usize = 200;

/// What the shim read from one matched element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    /// The id of the rule that matched.
    pub rule: String,
    /// The element's position among the distinct elements matched in this scan: an element
    /// matched by several rules has one index, so it gets one person and one badge.
    pub index: u32,
    /// Attribute name and value pairs (a JSON object on the wire); look them up with [`lookup`].
    #[serde(default, with = "pairs")]
    pub attrs: Vec<(String, String)>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, with = "pairs")]
    pub inner: Vec<(String, String)>,
    /// Other elements described by the very same rule, attributes, text and inner read: the
    /// shim sends such a descriptor once (a person's link in each of their comments), and what
    /// it names goes to each of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
}

impl Descriptor {
    /// The elements this descriptor describes: `index`, then `also`.
    pub fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.index).chain(self.also.iter().copied())
    }
}

/// The value of `key` in key–value pairs: the last one, as a map filled in order keeps.
pub fn lookup<'a, V>(pairs: &'a [(String, V)], key: &str) -> Option<&'a V> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A JSON object as `(key, value)` pairs. Not a map: an element has a few attributes, and each
/// map type adds its own code to the wasm module.
mod pairs {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of strings")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(pairs)
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// Someone on the page, tied to the element that names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// GitHub/GitLab/Linear login (lower-cased: those sites ignore case), Jira account id (Cloud)
    /// or user name (Server/DC), or, where a Jira page shows nothing else, the display name.
    pub handle: String,
    /// The display name the page shows, when it is not just the handle.
    pub name: Option<String>,
    pub role: Role,
    /// The descriptor's element index.
    pub index: u32,
    /// The rule that identified them (for diagnostics and tests).
    pub rule: String,
}

/// A URL predicate with its sample URLs beside it (github-url-detection style).
pub struct Predicate {
    pub name: &'static str,
    pub kind: PageKind,
    /// `None` when the URL is not this kind of page; else the item it shows, if any.
    pub detect: fn(&SiteUrl) -> Option<Option<ItemRef>>,
    /// URLs this predicate must accept and every other predicate must reject. Hosts other than
    /// the public ones are enabled in the tests through [`sample_origins`]. Test-only: kept out
    /// of the wasm module.
    #[cfg(test)]
    pub samples: &'static [&'static str],
}

/// One site's adapter, a table: its hosts' URL predicates, its selector table and what a handle
/// looks like there. The methods are the shared machinery, compiled once for every site.
pub struct Adapter {
    pub site: Site,
    /// Page predicates, tried in order (the all-pairs test proves them disjoint).
    pub predicates: &'static [Predicate],
    /// The selector table, generations newest first, generic fallbacks last.
    pub rules: &'static [Rule],
    /// The handle a profile link names, given its path segments after the site root and its
    /// query; `None` when the link is not a person's profile.
    pub profile_handle: fn(path: &[&str], query: &str) -> Option<String>,
    /// A handle as the site spells it, normalised; `None` when it cannot be one.
    pub normalize_handle: fn(raw: &str) -> Option<String>,
    /// Whether a link's text or avatar `alt` names a login only as `@login` (for the generic
    /// "link naming its login" fallback); else a leading `@` is optional.
    pub login_needs_at: bool,
    /// The item title in the document title, for the activity log and "Add this tab".
    pub item_title: fn(kind: PageKind, document_title: &str) -> Option<String>,
    /// Whether a generic match naming `handle` is the page's owner (a repository owner's
    /// breadcrumb) rather than a person taking part: generic rules cannot tell the two apart,
    /// and a redesign should cost coverage, never correctness. `None`: no page has an owner.
    pub owns_page: Option<fn(page: &Page, handle: &str) -> bool>,
    /// The rules about an item page's own state ([`observed`]).
    pub states: &'static [StateRule],
    /// The lifecycle a state label says, given the page kind and the title (GitLab marks
    /// drafts in the title); `None` when the label is not one the site shows.
    pub lifecycle: fn(kind: PageKind, label: &str, title: Option<&str>) -> Option<Lifecycle>,
    /// Assignees are named by their display names where the page has them (Jira's handles
    /// are account ids; Linear's are what no API of StandIn's reads anyway).
    pub display_names: bool,
}

impl Adapter {
    /// A site's table; a site whose pages have owners or whose logins need `@` says so with
    /// [`Adapter::owns_page`] and [`Adapter::login_needs_at`].
    pub const fn new(
        site: Site,
        predicates: &'static [Predicate],
        rules: &'static [Rule],
        profile_handle: fn(path: &[&str], query: &str) -> Option<String>,
        normalize_handle: fn(raw: &str) -> Option<String>,
        item_title: fn(kind: PageKind, document_title: &str) -> Option<String>,
    ) -> Adapter {
        Adapter {
            site,
            predicates,
            rules,
            profile_handle,
            normalize_handle,
            login_needs_at: false,
            item_title,
            owns_page: None,
            states: &[],
            lifecycle: |_, _, _| None,
            display_names: false,
        }
    }

    pub const fn states(
        mut self,
        states: &'static [StateRule],
        lifecycle: fn(PageKind, &str, Option<&str>) -> Option<Lifecycle>,
    ) -> Adapter {
        self.states = states;
        self.lifecycle = lifecycle;
        self
    }

    pub const fn display_names(mut self) -> Adapter {
        self.display_names = true;
        self
    }

    pub const fn login_needs_at(mut self) -> Adapter {
        self.login_needs_at = true;
        self
    }

    pub const fn owns_page(mut self, owns_page: fn(page: &Page, handle: &str) -> bool) -> Adapter {
        self.owns_page = Some(owns_page);
        self
    }

    /// The login a link's text or avatar `alt` spells out.
    fn login_in_text(&self, text: &str) -> Option<String> {
        let text = text.trim();
        let login = if self.login_needs_at {
            text.strip_prefix('@')?
        } else {
            text.trim_start_matches('@')
        };
        (self.normalize_handle)(login)
    }

    /// Classifies a URL already resolved to this site.
    fn classify_url(&self, url: &SiteUrl) -> Page {
        let found = self
            .predicates
            .iter()
            .find_map(|p| (p.detect)(url).map(|item| (p.kind, item)));
        let (kind, item) = found.unwrap_or((PageKind::Other, None));
        Page {
            site: self.site,
            kind,
            item,
            root: url.root.clone(),
        }
    }

    /// The rules for a kind of page, in priority order, as the shim needs them.
    fn scan_plan(&self, kind: PageKind) -> ScanPlan {
        let rules = self
            .rules
            .iter()
            .filter(|r| r.applies_to(kind))
            .map(|r| PlanRule {
                id: r.id,
                selector: r.selector,
                attrs: r.attrs(),
                text: r.reads_text(),
                inner: r.needs_inner().then(|| InnerRead {
                    selector: "img[alt]",
                    attrs: vec!["alt"],
                }),
                role: Some(r.role),
            })
            .collect();
        ScanPlan {
            rules,
            text_limit: TEXT_LIMIT,
        }
    }

    /// The people named by the shim's descriptors: one per element, from the highest-priority
    /// rule that yields a handle, sorted by element.
    fn people(&self, page: &Page, descriptors: &[Descriptor]) -> Vec<Person> {
        let rules = self.rules;
        let position = |id: &str| rules.iter().position(|r| r.id == id);
        let mut found: Vec<(u32, usize, &Descriptor, Handle)> = Vec::new();
        for d in descriptors {
            let Some(pos) = position(&d.rule) else {
                continue; // a plan from another version of the extension
            };
            // Read once per descriptor, however many elements it describes.
            if let Some(handle) = self.read_handle(&rules[pos], d, &page.root) {
                for index in d.also.iter().copied() {
                    found.push((index, pos, d, handle.clone()));
                }
                found.push((d.index, pos, d, handle));
            }
        }
        let viewer = found
            .iter()
            .find(|(_, pos, _, _)| rules[*pos].role == Role::Viewer)
            .map(|(_, _, _, h)| h.handle.clone());
        // By element, then rule.
        found.sort_by_key(|&(index, pos, _, _)| (index, pos));
        found.dedup_by_key(|(index, _, _, _)| *index);
        found
            .into_iter()
            .filter(|(_, pos, _, h)| {
                let rule = &rules[*pos];
                let owner = self.owns_page.is_some_and(|owns| owns(page, &h.handle));
                let generic_doubt = rule.generation == Generation::Generic
                    && (viewer.as_ref() == Some(&h.handle) || owner);
                rule.role != Role::Viewer && !generic_doubt
            })
            .map(|(index, pos, d, h)| Person {
                handle: h.handle,
                name: h.name,
                role: rules[pos].role,
                index,
                rule: d.rule.clone(),
            })
            .collect()
    }

    /// The handle (and display name) one descriptor names under one rule.
    fn read_handle(&self, rule: &Rule, d: &Descriptor, root: &str) -> Option<Handle> {
        let normalize = self.normalize_handle;
        let text = d.text.as_deref().map(clean_text).filter(|t| !t.is_empty());
        let attr = |name: &str| lookup(&d.attrs, name).map(String::as_str);
        let handle = rule.sources.iter().find_map(|source| match source {
            Source::Href => {
                let (path, query) = url::link_on_site(attr("href")?, root)?;
                (self.profile_handle)(&path, query)
            }
            Source::Attr(name) => normalize(attr(name)?.trim()),
            Source::Hovercard => {
                let (path, _) = url::link_on_site(attr("data-hovercard-url")?, root)?;
                match path[..] {
                    ["users", login, "hovercard"] => normalize(login),
                    _ => None,
                }
            }
            Source::AvatarAlt => at_login(lookup(&d.inner, "alt")?).and_then(normalize),
            Source::Text => normalize(text.as_deref()?.trim_start_matches('@')),
        })?;
        let names_login =
            |s: &str| normalize(s.trim_start_matches('@')).is_some_and(|l| l == handle);
        if rule.confirm {
            let confirms = |s: &str| self.login_in_text(s).is_some_and(|l| l == handle);
            let by_text = text.as_deref().is_some_and(confirms);
            let by_avatar = lookup(&d.inner, "alt")
                .is_some_and(|alt| alt.trim().starts_with('@') && confirms(alt));
            if !by_text && !by_avatar {
                return None;
            }
        }
        let name = text.filter(|t| rule.read_text && !names_login(t)).map(|t| {
            truncate_chars(
                t.trim_start_matches('@'),
                crate::limits::DISPLAY_NAME.max_graphemes,
            )
        });
        Some(Handle { handle, name })
    }
}

/// A handle and the display name beside it.
#[derive(Clone)]
struct Handle {
    handle: String,
    name: Option<String>,
}

/// `@login` → `login` (GitHub avatars' `alt`); anything else is no login.
fn at_login(alt: &str) -> Option<&str> {
    alt.trim().strip_prefix('@')
}

/// Text with runs of white space (newlines from markup) collapsed to one space.
fn clean_text(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The adapter for a site.
pub fn adapter(site: Site) -> &'static Adapter {
    match site {
        Site::GitHub => &github::ADAPTER,
        Site::GitLab => &gitlab::ADAPTER,
        Site::Jira => &jira::ADAPTER,
        Site::Linear => &linear::ADAPTER,
    }
}

/// The site a URL is on, if any: public hosts plus the self-hosted origins the user enabled.
pub fn site_for(url: &str, origins: &[Origin]) -> Option<Site> {
    url::resolve(url, origins).map(|u| u.site)
}

/// What a URL shows; `None` off the known sites.
pub fn classify(url: &str, origins: &[Origin]) -> Option<Page> {
    let resolved = url::resolve(url, origins)?;
    Some(adapter(resolved.site).classify_url(&resolved))
}

/// The scan plan for a classified page: on an item's page, the item's state rules too.
pub fn scan_plan(page: &Page) -> ScanPlan {
    let adapter = adapter(page.site);
    let mut plan = adapter.scan_plan(page.kind);
    if page.item.is_some() {
        plan.rules
            .extend(adapter.states.iter().map(StateRule::plan));
    }
    plan
}

/// The longest title kept from a page (GitHub's own limit is 256 characters).
const MAX_TITLE: usize = 256;

/// The state of the page's item as the shim read it (`None` off an item page, or when no
/// state label was found): lifecycle, title and assignees, seen at `at`.
pub fn observed(page: &Page, descriptors: &[Descriptor], at: Timestamp) -> Option<Observed> {
    page.item.as_ref()?;
    let adapter = adapter(page.site);
    let first = |reads: Reads| {
        let d = adapter
            .states
            .iter()
            .filter(|r| r.reads == reads)
            .find_map(|r| descriptors.iter().find(|d| d.rule == r.id))?;
        Some(clean_text(d.text.as_deref().unwrap_or_default()))
    };
    let title = first(Reads::Title)
        .filter(|t| !t.is_empty())
        .map(|t| truncate_chars(&t, MAX_TITLE));
    let lifecycle = (adapter.lifecycle)(page.kind, &first(Reads::Label)?, title.as_deref())?;
    let kind = match page.kind {
        PageKind::PullRequest | PageKind::MergeRequest => Kind::Change,
        _ => Kind::Issue,
    };
    let mut o = Observed::new(kind, lifecycle, LiveSource::Page, at);
    o.title = title;
    if first(Reads::Assignees).is_some() {
        let named = people(page, descriptors)
            .into_iter()
            .filter(|p| p.role == Role::Assignee)
            .map(|p| match p.name {
                Some(name) if adapter.display_names => name,
                _ => p.handle,
            });
        o.assignees = Some(handles(named.collect()));
    }
    Some(o)
}

/// The lifecycle a tracker's status name says, for trackers whose statuses a team names
/// (Jira's workflows, Linear's states): one of `closing` (lower case) is closed, any other
/// name open. A renamed done status reads as open: the page shows only the name.
pub(crate) fn status_name(label: &str, closing: &[&str]) -> Option<Lifecycle> {
    let name = label.trim().to_ascii_lowercase();
    if name.is_empty() {
        None
    } else if closing.contains(&name.as_str()) {
        Some(Lifecycle::Closed)
    } else {
        Some(Lifecycle::Open)
    }
}

/// The first word of a state label, lower-cased: "Open", "Closed as not planned", "Merged".
pub(crate) fn label_word(label: &str) -> String {
    label
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The people the shim's descriptors name on a classified page.
pub fn people(page: &Page, descriptors: &[Descriptor]) -> Vec<Person> {
    adapter(page.site).people(page, descriptors)
}

/// The item reference for a URL: the adapter's canonical one on a known site (so `/pull/12/files`
/// and `/pull/12` agree), else the generic reference of [`crate::item_ref::canonical_ref`].
pub fn canonical_item_ref(url: &str, origins: &[Origin]) -> Option<String> {
    match classify(url, origins) {
        Some(Page {
            item: Some(item), ..
        }) => Some(item.0),
        _ => crate::item_ref::canonical_ref(url),
    }
}

/// The item title in a document title, when the page is an item.
pub fn item_title(page: &Page, document_title: &str) -> Option<String> {
    page.item.as_ref()?;
    (adapter(page.site).item_title)(page.kind, document_title)
        .map(|t| clean_text(&t))
        .filter(|t| !t.is_empty())
}

/// Every role each handle has on the page (the fixture tests' view of [`people`]; not in the
/// wasm build, where each B-tree type adds its own code).
#[cfg(test)]
pub fn roles_by_handle(people: &[Person]) -> BTreeMap<String, BTreeSet<Role>> {
    let mut out: BTreeMap<String, BTreeSet<Role>> = BTreeMap::new();
    for p in people {
        out.entry(p.handle.clone()).or_default().insert(p.role);
    }
    out
}

/// Self-hosted origins the sample URLs use (enabled as a user would in options).
#[cfg(test)]
pub(crate) fn sample_origins() -> Vec<Origin> {
    vec![
        Origin::new(Site::GitHub, "https://github.example.com"),
        Origin::new(Site::GitLab, "https://gitlab.example.org"),
        Origin::new(Site::GitLab, "https://corp.example/gitlab"),
        Origin::new(Site::Jira, "https://jira.corp.example/jira"),
        Origin::new(Site::Jira, "https://corp.example/jira"),
    ]
}

/// The canonical item of a sample URL, for the adapters' tests.
#[cfg(test)]
pub(crate) fn sample_item_of(url: &str) -> Option<String> {
    classify(url, &sample_origins())?
        .item
        .map(|i| i.as_str().to_owned())
}

/// Splits a document title at GitHub- and GitLab-style separators (`·`).
fn title_parts(document_title: &str) -> Vec<&str> {
    document_title.split(" · ").map(str::trim).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_predicates() -> Vec<(Site, &'static Predicate)> {
        Site::ALL
            .iter()
            .flat_map(|&s| adapter(s).predicates.iter().map(move |p| (s, p)))
            .collect()
    }

    /// What predicate `p` of `site` says about `url`, host resolution included.
    fn run(site: Site, p: &Predicate, url: &str) -> Option<Option<ItemRef>> {
        let resolved = url::resolve(url, &sample_origins())?;
        if resolved.site != site {
            return None;
        }
        (p.detect)(&resolved)
    }

    /// The generic predicate test: every sample is accepted by its own predicate and rejected
    /// by every other predicate of every site; "other" samples are rejected by all.
    #[test]
    fn every_sample_matches_its_own_predicate_only() {
        let predicates = all_predicates();
        let mut checked = 0;
        for (own_site, own) in &predicates {
            assert!(!own.samples.is_empty(), "{} has no samples", own.name);
            for sample in own.samples {
                let page = classify(sample, &sample_origins());
                assert_eq!(
                    page.as_ref().map(|p| (p.site, p.kind)),
                    Some((*own_site, own.kind)),
                    "{sample} should classify as {:?} {}",
                    own_site,
                    own.name
                );
                for (site, other) in &predicates {
                    let accepted = run(*site, other, sample).is_some();
                    let is_own = std::ptr::eq(*other, *own);
                    assert_eq!(accepted, is_own, "{:?}::{} on {sample}", site, other.name);
                    checked += 1;
                }
            }
        }
        for site in Site::ALL {
            // URLs of the site that are no item and no list (`issues/new`, settings, …): each
            // must be rejected by every predicate and classify as `PageKind::Other`.
            let other_samples = match site {
                Site::GitHub => github::OTHER_SAMPLES,
                Site::GitLab => gitlab::OTHER_SAMPLES,
                Site::Jira => jira::OTHER_SAMPLES,
                Site::Linear => linear::OTHER_SAMPLES,
            };
            for sample in other_samples {
                let page = classify(sample, &sample_origins());
                assert_eq!(
                    page.map(|p| (p.site, p.kind)),
                    Some((site, PageKind::Other)),
                    "{sample}"
                );
                for (s, p) in &predicates {
                    assert!(
                        run(*s, p, sample).is_none(),
                        "{:?}::{} on {sample}",
                        s,
                        p.name
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "only {checked} checks");
    }

    #[test]
    fn predicate_names_are_unique() {
        let mut names = BTreeSet::new();
        for (site, p) in all_predicates() {
            assert!(names.insert((site, p.name)), "{:?}::{}", site, p.name);
        }
    }

    #[test]
    fn urls_off_the_known_sites_are_not_classified() {
        for url in [
            "https://example.com/o/r/pull/1",
            "https://github.com.evil.example/o/r/pull/1",
            "https://gitlab.example.org.evil.example/g/p/-/merge_requests/1",
            "https://corp.example/wiki/browse/KEY-1",
            "https://jira.corp.example/browse/KEY-1", // enabled with the /jira context path only
            "https://atlassian.net/browse/KEY-1",
            "ftp://github.com/o/r/pull/1",
            "javascript:alert(1)",
            "github.com/o/r/pull/1",
        ] {
            assert_eq!(classify(url, &sample_origins()), None, "{url}");
        }
        // Self-hosted sites count only once enabled.
        assert_eq!(site_for("https://github.example.com/o/r/pull/1", &[]), None);
        assert_eq!(
            site_for("https://github.example.com/o/r/pull/1", &sample_origins()),
            Some(Site::GitHub)
        );
    }

    #[test]
    fn canonical_item_ref_uses_the_adapter_and_falls_back_to_the_generic_ref() {
        let o = sample_origins();
        assert_eq!(
            canonical_item_ref("https://github.com/o/r/pull/12/files?w=1#diff", &o).as_deref(),
            Some("github.com/o/r/pull/12")
        );
        assert_eq!(
            canonical_item_ref("https://docs.example.com//a/b/", &o).as_deref(),
            Some("docs.example.com/a/b")
        );
        assert_eq!(
            canonical_item_ref("https://github.com/o/r/issues/new", &o).as_deref(),
            Some("github.com/o/r/issues/new")
        );
    }

    #[test]
    fn rule_tables_are_well_formed() {
        for site in Site::ALL {
            let rules = adapter(site).rules;
            let mut ids = BTreeSet::new();
            let mut last = Generation::Current;
            for r in rules {
                assert!(ids.insert(r.id), "{site:?}: duplicate rule id {}", r.id);
                assert!(
                    r.generation >= last,
                    "{site:?}: {} is out of generation order",
                    r.id
                );
                last = r.generation;
                assert!(!r.sources.is_empty(), "{site:?}: {} has no source", r.id);
                assert!(
                    scraper::Selector::parse(r.selector).is_ok(),
                    "{site:?}: {} has a selector scraper cannot parse",
                    r.id
                );
                if r.generation == Generation::Generic {
                    assert!(
                        r.on.is_empty(),
                        "{site:?}: generic rule {} must run everywhere",
                        r.id
                    );
                }
            }
            assert_eq!(last, Generation::Generic, "{site:?}: no generic fallback");
            // State rules: ids apart from the people's, selectors scraper parses, one label
            // rule at least.
            let states = adapter(site).states;
            assert!(states.iter().any(|r| r.reads == Reads::Label), "{site:?}");
            for r in states {
                assert!(ids.insert(r.id), "{site:?}: duplicate rule id {}", r.id);
                assert!(
                    scraper::Selector::parse(r.selector).is_ok(),
                    "{site:?}: {}",
                    r.id
                );
            }
            // Every page kind gets a plan that ends in the fallbacks.
            for kind in [PageKind::Other, PageKind::Issue] {
                let plan = adapter(site).scan_plan(kind);
                let last_rule = plan.rules.last().map(|r| r.id);
                let generic = rules.iter().rfind(|r| r.generation == Generation::Generic);
                assert_eq!(last_rule, generic.map(|r| r.id), "{site:?} {kind:?}");
            }
        }
    }

    #[test]
    fn plans_and_people_cross_to_js_as_plain_json() {
        let page = classify("https://github.com/o/r/pull/1", &[]).unwrap();
        let plan = serde_json::to_value(scan_plan(&page)).unwrap();
        // Every plan, with and without inner reads, is written as serde writes it.
        let mut inner = [false, false];
        for site in Site::ALL {
            for kind in [PageKind::PullRequest, PageKind::Ticket, PageKind::Other] {
                let plan = adapter(site).scan_plan(kind);
                for rule in &plan.rules {
                    inner[usize::from(rule.inner.is_some())] = true;
                }
            }
        }
        assert_eq!(inner, [true, true]);
        let first = &plan["rules"][0];
        for key in ["id", "selector", "attrs", "text", "inner", "role"] {
            assert!(first.get(key).is_some(), "plan rule lacks {key}: {first}");
        }
        assert_eq!(plan["text_limit"], TEXT_LIMIT);
        // What the shim sends back; unknown rules are ignored, missing fields default.
        let descriptors: Vec<Descriptor> = serde_json::from_value(serde_json::json!([
            {"rule": "legacy-header-author", "index": 0, "attrs": {"href": "/Alice"}, "text": "Alice"},
            {"rule": "no-such-rule", "index": 1, "attrs": {"href": "/bob"}},
        ]))
        .unwrap();
        let found = people(&page, &descriptors);
        let json = serde_json::to_value(&found).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"handle": "alice", "name": null, "role": "author", "index": 0,
                                "rule": "legacy-header-author"}])
        );
    }

    #[test]
    fn descriptor_attributes_are_json_objects() {
        let d: Descriptor = serde_json::from_str(
            r#"{"rule":"r","index":1,"attrs":{"href":"/a","rel":"x","href":"/b"},"inner":{"alt":"@a"}}"#,
        )
        .unwrap();
        // A repeated key keeps its last value, as a map would.
        assert_eq!(lookup(&d.attrs, "href").map(String::as_str), Some("/b"));
        assert_eq!(lookup(&d.inner, "alt").map(String::as_str), Some("@a"));
        assert_eq!(lookup(&d.attrs, "alt"), None);
        let plain = Descriptor {
            attrs: vec![("href".into(), "/a".into())],
            ..Descriptor::default()
        };
        let json = serde_json::to_value(&plain).unwrap();
        assert_eq!(json["attrs"], serde_json::json!({"href": "/a"}));
        assert_eq!(json["inner"], serde_json::json!({}));
        assert_eq!(serde_json::from_value::<Descriptor>(json).unwrap(), plain);
        for bad in [r#"[["href","/a"]]"#, r#"{"href":1}"#, "null"] {
            let text = format!(r#"{{"rule":"r","index":0,"attrs":{bad}}}"#);
            assert!(serde_json::from_str::<Descriptor>(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn decode_and_encode_match_serde() {
        use crate::wire::check::round_trips;
        for site in Site::ALL {
            round_trips(&site);
        }
        use PageKind::*;
        for kind in [
            PullRequest,
            MergeRequest,
            Issue,
            Ticket,
            PrList,
            MrList,
            IssueList,
            Board,
            Other,
        ] {
            round_trips(&kind);
        }
        use Role::*;
        for role in [
            Author,
            Reviewer,
            Assignee,
            Commenter,
            ReviewCommenter,
            Mention,
            Participant,
            TimelineActor,
            Reporter,
            Creator,
            Viewer,
        ] {
            round_trips(&role);
        }
        let item = ItemRef::new("github.com", &["o", "r", "pull", "12"]);
        round_trips(&item);
        assert_eq!(
            crate::wire::from_str::<ItemRef>(r#""github.com/o/r/pull/12""#),
            Ok(item.clone())
        );
        round_trips(&classify("https://github.com/o/r/pull/12/files", &[]).unwrap());
        let list = classify("https://github.com/o/r/pulls", &[]).unwrap();
        assert_eq!(list.item, None);
        round_trips(&list);
        for origin in sample_origins() {
            round_trips(&origin);
        }
        round_trips(&Descriptor {
            rule: "legacy-header-author".into(),
            index: 7,
            attrs: vec![
                ("href".into(), "/alice".into()),
                ("data-hovercard-url".into(), "/users/alice/hovercard".into()),
            ],
            text: Some("Alice".into()),
            inner: vec![("alt".into(), "@alice".into())],
            also: vec![9, 12],
        });
        round_trips(&Descriptor::default());
        round_trips(&Person {
            handle: "alice".into(),
            name: Some("Alice Liddell".into()),
            role: Role::ReviewCommenter,
            index: 3,
            rule: "review-comment-author".into(),
        });
        round_trips(&Person {
            handle: "bob".into(),
            name: None,
            role: Role::Author,
            index: 0,
            rule: "r".into(),
        });
        assert_eq!(
            crate::wire::from_str::<Site>(r#""GitHub""#)
                .unwrap_err()
                .path,
            ""
        );
        let e =
            crate::wire::from_str::<Page>(r#"{"site":"github","kind":"pr","root":"github.com"}"#);
        assert_eq!(e.unwrap_err().path, "kind");
        let e = crate::wire::from_str::<Origin>(r#"{"site":"linear"}"#);
        assert_eq!(e.unwrap_err().path, "base");
    }

    #[test]
    fn decoded_descriptors_default_and_refuse_as_serde_does() {
        // What the shim sends: missing members default, unknown ones are ignored.
        let descriptors = crate::wire::from_str::<Vec<Descriptor>>(
            r#"[{"rule":"legacy-header-author","index":0,"attrs":{"href":"/Alice"},"text":"Alice"},
                {"rule":"no-such-rule","index":1,"attrs":{"href":"/bob"},"new":[1]}]"#,
        )
        .unwrap();
        assert_eq!(descriptors[1].text, None);
        assert_eq!(descriptors[1].inner, []);
        let page = classify("https://github.com/o/r/pull/1", &[]).unwrap();
        let found = people(&page, &descriptors);
        assert_eq!(
            found,
            [Person {
                handle: "alice".into(),
                name: None,
                role: Role::Author,
                index: 0,
                rule: "legacy-header-author".into(),
            }]
        );
        let d = crate::wire::from_str::<Descriptor>(
            r#"{"rule":"r","index":1,"attrs":{"href":"/a","rel":"x","href":"/b"},"inner":{"alt":"@a"}}"#,
        )
        .unwrap();
        // Every pair is kept in order, as serde's visitor keeps them; `lookup` takes the last.
        assert_eq!(d.attrs.len(), 3);
        assert_eq!(lookup(&d.attrs, "href").map(String::as_str), Some("/b"));
        assert_eq!(lookup(&d.inner, "alt").map(String::as_str), Some("@a"));
        for (bad, path) in [
            (r#"[["href","/a"]]"#, "attrs"),
            (r#"{"href":1}"#, "attrs.href"),
            ("null", "attrs"),
            ("\"href\"", "attrs"),
        ] {
            let text = format!(r#"{{"rule":"r","index":0,"attrs":{bad}}}"#);
            assert!(serde_json::from_str::<Descriptor>(&text).is_err(), "{bad}");
            assert_eq!(
                crate::wire::from_str::<Descriptor>(&text).unwrap_err().path,
                path,
                "{bad}"
            );
        }
        let e =
            crate::wire::from_str::<Descriptor>(r#"{"rule":"r","index":0,"inner":{"alt":null}}"#);
        assert_eq!(e.unwrap_err().path, "inner.alt");
        let e = crate::wire::from_str::<Descriptor>(r#"{"rule":"r","index":-1}"#);
        assert_eq!(e.unwrap_err().path, "index");
        let e = crate::wire::from_str::<Descriptor>(r#"{"index":0}"#);
        assert_eq!(e.unwrap_err().path, "rule");
    }

    #[test]
    fn hostile_or_foreign_descriptors_name_nobody() {
        let page = classify("https://github.com/o/r/pull/1", &[]).unwrap();
        let d = |rule: &str, href: &str, text: &str| Descriptor {
            rule: rule.into(),
            index: 0,
            attrs: [("href".to_string(), href.to_string())].into(),
            text: Some(text.into()),
            ..Descriptor::default()
        };
        for (href, text) in [
            ("javascript:alert(1)", "alice"),
            ("https://evil.example/alice", "alice"),
            ("//evil.example/alice", "alice"),
            ("/alice/repo", "alice"),
            ("/al ice", "al ice"),
            ("/alice", "bob"), // the generic rule needs the text to name the linked login
            ("/alice", ""),
        ] {
            assert_eq!(
                people(&page, &[d("generic-named-link", href, text)]),
                [],
                "{href}"
            );
        }
        // A display name is bounded however long the text the shim sends.
        let jira = classify("https://acme.atlassian.net/browse/K-1", &[]).unwrap();
        let long = "n".repeat(5000);
        let found = people(
            &jira,
            &[d("cloud-comment-author", "/jira/people/abc123", &long)],
        );
        assert_eq!(found[0].handle, "abc123");
        let name = found[0].name.clone().unwrap();
        assert_eq!(
            name.chars().count(),
            crate::limits::DISPLAY_NAME.max_graphemes
        );
        let control = Descriptor {
            rule: "generic-account-id".into(),
            attrs: [("data-account-id".to_string(), "a\u{7}b".to_string())].into(),
            ..Descriptor::default()
        };
        assert_eq!(people(&jira, &[control]), []);
    }

    #[test]
    fn state_labels_read_as_each_site_shows_them() {
        use Lifecycle::*;
        use PageKind::{Issue as I, MergeRequest as MR, PullRequest as PR, Ticket as T};
        let github = adapter(Site::GitHub).lifecycle;
        for (kind, label, want) in [
            (PR, " Open ", Some(Open)),
            (PR, "Draft", Some(Draft)),
            (PR, "Merged", Some(Merged)),
            (I, "Closed as not planned", Some(Closed)),
            (I, "Merged", None),
            (PR, "<img src=x onerror=alert(1)>", None),
            (PR, "", None),
        ] {
            assert_eq!(github(kind, label, None), want, "{label}");
        }
        let gitlab = adapter(Site::GitLab).lifecycle;
        assert_eq!(gitlab(MR, "Open", Some("Draft: faster CI")), Some(Draft));
        assert_eq!(gitlab(MR, "Open", Some("[Draft] faster CI")), Some(Draft));
        assert_eq!(gitlab(MR, "Open", Some("Drafting the plan")), Some(Open));
        assert_eq!(gitlab(I, "Open", Some("Draft: notes")), Some(Open));
        assert_eq!(gitlab(MR, "Merged", None), Some(Merged));
        assert_eq!(gitlab(I, "Merged", None), None);
        let jira = adapter(Site::Jira).lifecycle;
        assert_eq!(jira(T, "In Progress", None), Some(Open));
        assert_eq!(jira(T, "Won't Do", None), Some(Closed));
        assert_eq!(jira(T, " DONE ", None), Some(Closed));
        assert_eq!(jira(T, "  ", None), None);
        let linear = adapter(Site::Linear).lifecycle;
        assert_eq!(linear(I, "Canceled", None), Some(Closed));
        assert_eq!(linear(I, "Backlog", None), Some(Open));
    }

    #[test]
    fn page_state_comes_from_the_item_page_and_its_text_is_bounded() {
        let d = |rule: &str, text: &str| Descriptor {
            rule: rule.into(),
            index: 0,
            text: Some(text.into()),
            ..Descriptor::default()
        };
        let page = classify("https://github.com/o/r/pull/1", &[]).unwrap();
        let long = "t".repeat(5000);
        let o = observed(
            &page,
            &[d("state-legacy", "Merged"), d("title-legacy", &long)],
            Timestamp(1),
        )
        .unwrap();
        assert_eq!(o.lifecycle, Lifecycle::Merged);
        assert_eq!(o.title.map(|t| t.chars().count()), Some(MAX_TITLE));
        // The newest page shape's label wins, whatever order the descriptors came in.
        let o = observed(
            &page,
            &[d("state-legacy", "Closed"), d("state-react", "Open")],
            Timestamp(1),
        );
        assert_eq!(o.map(|o| o.lifecycle), Some(Lifecycle::Open));
        // A label the site never shows, a people rule's text, a list page: nothing.
        assert_eq!(
            observed(&page, &[d("state-legacy", "Shipped")], Timestamp(1)),
            None
        );
        assert_eq!(
            observed(&page, &[d("legacy-header-author", "Open")], Timestamp(1)),
            None
        );
        let list = classify("https://github.com/o/r/pulls", &[]).unwrap();
        assert_eq!(
            observed(&list, &[d("state-legacy", "Open")], Timestamp(1)),
            None
        );
    }

    #[test]
    fn one_element_yields_one_person_from_its_best_rule() {
        let page = classify("https://github.com/o/r/issues/1", &[]).unwrap();
        let d = |rule: &str| Descriptor {
            rule: rule.into(),
            index: 3,
            attrs: [("href".to_string(), "/carol".to_string())].into(),
            text: Some("carol".into()),
            ..Descriptor::default()
        };
        // The generic rule comes first in the list, but the table ranks the specific one higher.
        let found = people(
            &page,
            &[d("generic-named-link"), d("legacy-comment-author")],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].role, found[0].rule.as_str()),
            (Role::Commenter, "legacy-comment-author")
        );
    }
}
