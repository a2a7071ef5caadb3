//! Hand-written URL pieces for the site adapters (no regex crate: it would cost the wasm budget).
//!
//! A page URL is reduced to a [`SiteUrl`]: which site it is on, the root every item reference
//! starts with (host, port and context path), the path segments after that root with empty
//! segments dropped (so doubled and trailing slashes don't matter), and the raw query.

use super::{Origin, Site};
use crate::item_ref::parse_http_url;

/// A page URL resolved against the known hosts and the user's self-hosted origins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteUrl<'a> {
    pub site: Site,
    /// Lower-cased host with port and context path, no `www.`: `github.com`, `jira.corp/jira`.
    pub root: String,
    /// Path segments after the context path, empty ones dropped.
    pub segments: Vec<&'a str>,
    /// The query without `?`, fragment excluded.
    pub query: &'a str,
}

impl<'a> SiteUrl<'a> {
    /// The path segment at `i`, if any.
    pub fn seg(&self, i: usize) -> Option<&'a str> {
        self.segments.get(i).copied()
    }

    /// The raw (still percent-encoded) value of the first query parameter called `name`.
    pub fn query_param(&self, name: &str) -> Option<&'a str> {
        query_param(self.query, name)
    }
}

/// The raw value of the first parameter `name` in a query string (`a=1&b=2`).
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

/// Host (with port) and context path of a URL, lower-cased, `www.` dropped, plus the rest.
struct Parts<'a> {
    authority: String,
    segments: Vec<&'a str>,
    query: &'a str,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let parsed = parse_http_url(url)?;
    let authority = parsed.authority.to_ascii_lowercase();
    let authority = authority
        .strip_prefix("www.")
        .map(str::to_owned)
        .unwrap_or(authority);
    let before_fragment = url.split('#').next().unwrap_or_default();
    let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
    Some(Parts {
        authority,
        segments: segments(parsed.path),
        query,
    })
}

/// Non-empty path segments: `//o//r/` is `["o", "r"]`.
pub fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Whether `host` is one of a site's public hosts (the ones that need no user setting).
fn public_site(host: &str) -> Option<Site> {
    match host {
        "github.com" => Some(Site::GitHub),
        "gitlab.com" => Some(Site::GitLab),
        "linear.app" => Some(Site::Linear),
        // Jira Cloud sites are `<tenant>.atlassian.net`; the bare domain is Atlassian's own site.
        h if h.len() > ".atlassian.net".len() && h.ends_with(".atlassian.net") => Some(Site::Jira),
        _ => None,
    }
}

/// Resolves a page URL to its site: a self-hosted origin the user enabled (longest context path
/// first, so `corp/jira` and `corp/gitlab` may share a host), else a public host.
pub fn resolve<'a>(url: &'a str, origins: &[Origin]) -> Option<SiteUrl<'a>> {
    let parts = split(url)?;
    let mut best: Option<(usize, Site, String)> = None;
    for origin in origins {
        let Some(base) = split(&origin.base) else {
            continue;
        };
        if base.authority != parts.authority || !has_prefix(&parts.segments, &base.segments) {
            continue;
        }
        let len = base.segments.len();
        if best.as_ref().is_none_or(|(best_len, _, _)| len > *best_len) {
            let mut root = base.authority.clone();
            for s in &base.segments {
                root.push('/');
                root.push_str(&s.to_ascii_lowercase());
            }
            best = Some((len, origin.site, root));
        }
    }
    let (skip, site, root) = match best {
        Some(found) => found,
        None => (0, public_site(&parts.authority)?, parts.authority.clone()),
    };
    Some(SiteUrl {
        site,
        root,
        segments: parts.segments[skip..].to_vec(),
        query: parts.query,
    })
}

fn has_prefix(path: &[&str], prefix: &[&str]) -> bool {
    path.len() >= prefix.len()
        && path
            .iter()
            .zip(prefix)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// Where a link on a page points, when it stays on the page's own site: its segments after the
/// site's root and its query. `href` is the raw attribute (relative, protocol-relative or
/// absolute); `#` links (GitHub's mannequins) and links to other hosts are `None`.
pub fn link_on_site<'h>(href: &'h str, root: &str) -> Option<(Vec<&'h str>, &'h str)> {
    let href = href.trim();
    let (host, rest) = if let Some(rest) = href.strip_prefix("//") {
        split_authority(rest)
    } else if let Some(i) = href.find("://") {
        let scheme = &href[..i];
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return None;
        }
        split_authority(&href[i + 3..])
    } else if href.starts_with('/') {
        (None, href)
    } else {
        return None;
    };
    let (root_host, root_path) = root.split_once('/').unwrap_or((root, ""));
    if let Some(host) = host {
        let host = host.to_ascii_lowercase();
        if host.strip_prefix("www.").unwrap_or(&host) != root_host {
            return None;
        }
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let all = segments(path);
    let base = segments(root_path);
    if !has_prefix(&all, &base) {
        return None;
    }
    Some((all[base.len()..].to_vec(), query))
}

fn split_authority(rest: &str) -> (Option<&str>, &str) {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (Some(&rest[..end]), &rest[end..])
}

/// Decodes `%XX` escapes and `+` (as in query strings); `None` for malformed or non-UTF-8 input.
pub fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = raw.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Whether `s` is a positive decimal number without sign or leading zero (an issue number).
pub fn is_number(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('0') && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A tracker key like `ENG-7` or `KEY_2-123` (Jira and Linear): a project key of letters, digits
/// and `_` starting with a letter, a dash and an issue number. Returned upper-cased.
pub fn issue_key(s: &str) -> Option<String> {
    let (project, number) = s.rsplit_once('-')?;
    let mut chars = project.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let valid = starts_with_letter
        && project.len() <= 32
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && is_number(number);
    valid.then(|| s.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> Vec<Origin> {
        vec![
            Origin::new(Site::Jira, "https://corp.example/jira"),
            Origin::new(Site::GitLab, "https://corp.example/gitlab/"),
            Origin::new(Site::GitHub, "https://ghe.corp.example"),
        ]
    }

    #[test]
    fn resolves_public_hosts_and_origins_with_context_paths() {
        let o = origins();
        let u = resolve("https://corp.example/jira/browse/K-1?x=1#c", &o).unwrap();
        assert_eq!(u.site, Site::Jira);
        assert_eq!(u.root, "corp.example/jira");
        assert_eq!(u.segments, ["browse", "K-1"]);
        assert_eq!(u.query, "x=1");
        let u = resolve("http://CORP.example//GitLab/g/p", &o).unwrap();
        assert_eq!(
            (u.site, u.root.as_str()),
            (Site::GitLab, "corp.example/gitlab")
        );
        assert_eq!(u.segments, ["g", "p"]);
        // Same host, no enabled context path: not a tracker page.
        assert!(resolve("https://corp.example/wiki/x", &o).is_none());
        let u = resolve("https://www.github.com/o/r", &[]).unwrap();
        assert_eq!((u.site, u.root.as_str()), (Site::GitHub, "github.com"));
        assert_eq!(
            resolve("https://acme.atlassian.net/browse/A-1", &[])
                .unwrap()
                .site,
            Site::Jira
        );
        assert!(resolve("https://atlassian.net/browse/A-1", &[]).is_none());
        assert!(resolve("https://notgithub.com/o/r", &[]).is_none());
        assert!(resolve("https://ghe.corp.example.evil.com/o/r", &o).is_none());
        assert!(resolve("javascript:alert(1)", &o).is_none());
    }

    #[test]
    fn links_are_read_relative_to_the_site_root() {
        let (segs, q) =
            link_on_site("/jira/secure/ViewProfile.jspa?name=a%40b", "corp/jira").unwrap();
        assert_eq!(
            (segs, q),
            (vec!["secure", "ViewProfile.jspa"], "name=a%40b")
        );
        let (segs, _) = link_on_site("https://github.com/alice", "github.com").unwrap();
        assert_eq!(segs, ["alice"]);
        let (segs, _) = link_on_site("//www.github.com/alice#x", "github.com").unwrap();
        assert_eq!(segs, ["alice"]);
        assert!(link_on_site("https://evil.example/alice", "github.com").is_none());
        assert!(link_on_site("#", "github.com").is_none());
        assert!(link_on_site("alice", "github.com").is_none());
        assert!(link_on_site("javascript://github.com/x", "github.com").is_none());
        assert!(link_on_site("/wiki/alice", "corp/jira").is_none());
    }

    #[test]
    fn small_parsers() {
        assert_eq!(percent_decode("a%40b+c").as_deref(), Some("a@b c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%"), None);
        assert!(is_number("12") && !is_number("012") && !is_number("new") && !is_number(""));
        assert_eq!(issue_key("eng-7").as_deref(), Some("ENG-7"));
        assert_eq!(issue_key("KEY_2-10").as_deref(), Some("KEY_2-10"));
        for bad in ["7-ENG", "ENG-", "-7", "ENG-0", "EN G-7", "ENG-7a"] {
            assert_eq!(issue_key(bad), None, "{bad}");
        }
        assert_eq!(
            query_param("a=1&selectedIssue=K-2&b", "selectedIssue"),
            Some("K-2")
        );
        assert_eq!(query_param("b", "b"), Some(""));
        assert_eq!(query_param("ab=1", "a"), None);
    }
}
