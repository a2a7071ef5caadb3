//! Self-hosted trackers the user enables in options (GitHub Enterprise, self-managed GitLab,
//! Jira Server/Data Center): what they type, checked and turned into the [`Origin`] the site
//! adapters resolve URLs against and the match pattern the browser grants and injects on.
//!
//! Kept in `storage.local` under [`crate::store::ORIGINS_KEY`] (a host permission belongs to
//! one browser, so the list does not roam). The worker registers the content script for every
//! granted pattern (`scripting.registerContentScripts`) and checks the registration at start.

use crate::item_ref::parse_http_url;
use crate::sites::{self, Origin, Site};

/// Origins a user may add; more is a mistake, not a setup.
pub const MAX_ORIGINS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("Enter the address of the tracker, starting with https:// (or http://).")]
    NotHttp,
    #[error("Leave out the query and the # part: only the address and any context path.")]
    HasQuery,
    #[error("{0} is always on; only self-hosted addresses need adding.")]
    Public(&'static str),
    #[error("This address is already in the list.")]
    Duplicate,
    #[error("At most 20 self-hosted trackers.")]
    TooMany,
    #[error("Linear has no self-hosted edition.")]
    NoSelfHosted,
}

/// The origin a user typed: `https://gitlab.corp.example/gitlab/` → base
/// `https://gitlab.corp.example/gitlab` (scheme, host, port, context path; no trailing slash).
pub fn parse_origin(site: Site, input: &str, existing: &[Origin]) -> Result<Origin, OriginError> {
    if site == Site::Linear {
        return Err(OriginError::NoSelfHosted);
    }
    let input = input.trim();
    let parsed = parse_http_url(input).ok_or(OriginError::NotHttp)?;
    if input.contains(['?', '#']) {
        return Err(OriginError::HasQuery);
    }
    let scheme = if input[..5].eq_ignore_ascii_case("https") {
        "https"
    } else {
        "http"
    };
    let mut base = format!("{scheme}://{}", parsed.authority.to_ascii_lowercase());
    for segment in sites::url::segments(parsed.path) {
        base.push('/');
        base.push_str(segment);
    }
    // A public host is covered by the manifest already; adding it would only shadow the
    // public site's rules with the chosen kind's.
    let probe = format!("{base}/");
    if let Some(public) = sites::site_for(&probe, &[]) {
        return Err(OriginError::Public(match public {
            Site::GitHub => "github.com",
            Site::GitLab => "gitlab.com",
            Site::Jira => "Jira Cloud (atlassian.net)",
            Site::Linear => "linear.app",
        }));
    }
    let origin = Origin::new(site, &base);
    if existing.iter().any(|o| same_base(&o.base, &origin.base)) {
        return Err(OriginError::Duplicate);
    }
    if existing.len() >= MAX_ORIGINS {
        return Err(OriginError::TooMany);
    }
    Ok(origin)
}

fn same_base(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.split_once("://")
            .map_or(s, |(_, rest)| rest)
            .to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// The host permission and content-script match pattern for an origin: its scheme and host,
/// any port and any path (match patterns cannot name a port or stop at a context path; the
/// adapters check the context path on every URL).
pub fn match_pattern(origin: &Origin) -> Option<String> {
    let parsed = parse_http_url(&origin.base)?;
    let scheme = if origin.base[..5].eq_ignore_ascii_case("https") {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{}/*", parsed.host.to_ascii_lowercase()))
}

/// Every distinct pattern for a list of origins, sorted (the registration compares them).
pub fn match_patterns(origins: &[Origin]) -> Vec<String> {
    let mut patterns: Vec<String> = origins.iter().filter_map(match_pattern).collect();
    patterns.sort_unstable();
    patterns.dedup();
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_addresses_become_origins_with_their_context_path() {
        let o = parse_origin(Site::Jira, " https://Jira.Corp.example:8443//jira/ ", &[]).unwrap();
        assert_eq!(
            o,
            Origin::new(Site::Jira, "https://jira.corp.example:8443/jira")
        );
        assert_eq!(
            match_pattern(&o).as_deref(),
            Some("https://jira.corp.example/*")
        );
        let o = parse_origin(Site::GitLab, "http://gitlab.lan", &[]).unwrap();
        assert_eq!(o.base, "http://gitlab.lan");
        assert_eq!(match_pattern(&o).as_deref(), Some("http://gitlab.lan/*"));
        // The adapters resolve pages under it.
        let page = sites::classify("http://gitlab.lan/g/p/-/merge_requests/3", &[o]).unwrap();
        assert_eq!(page.site, Site::GitLab);
    }

    #[test]
    fn bad_public_and_duplicate_addresses_are_refused() {
        use OriginError::*;
        let err = |site, s: &str| parse_origin(site, s, &[]).unwrap_err();
        assert_eq!(err(Site::GitHub, "github.corp"), NotHttp);
        assert_eq!(err(Site::GitHub, "javascript:alert(1)"), NotHttp);
        assert_eq!(err(Site::GitHub, "https://user:pw@ghe.corp"), NotHttp);
        assert_eq!(err(Site::GitHub, "https://ghe.corp/?x=1"), HasQuery);
        assert_eq!(
            err(Site::GitHub, "https://github.com"),
            Public("github.com")
        );
        assert_eq!(
            err(Site::Jira, "https://acme.atlassian.net/"),
            Public("Jira Cloud (atlassian.net)")
        );
        assert_eq!(err(Site::Linear, "https://linear.corp"), NoSelfHosted);
        let existing = [Origin::new(Site::GitHub, "https://ghe.corp")];
        assert_eq!(
            parse_origin(Site::GitLab, "http://GHE.corp/", &existing).unwrap_err(),
            Duplicate
        );
        let full: Vec<Origin> = (0..MAX_ORIGINS)
            .map(|n| Origin::new(Site::GitLab, &format!("https://g{n}.corp")))
            .collect();
        assert_eq!(
            parse_origin(Site::GitLab, "https://new.corp", &full).unwrap_err(),
            TooMany
        );
    }

    #[test]
    fn patterns_are_deduplicated_per_host() {
        let origins = [
            Origin::new(Site::Jira, "https://corp.example/jira"),
            Origin::new(Site::GitLab, "https://corp.example/gitlab"),
            Origin::new(Site::GitHub, "http://ghe.lan"),
        ];
        assert_eq!(
            match_patterns(&origins),
            ["http://ghe.lan/*", "https://corp.example/*"]
        );
    }
}
