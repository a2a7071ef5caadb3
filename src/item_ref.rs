//! Item URLs: which links may be declared, and the canonical reference that identifies an item
//! however its URL is spelled.

use crate::limits;

/// The scheme, host and path of an http(s) URL, or `None` for anything else.
pub struct HttpUrl<'a> {
    /// Host with its port, if any.
    pub authority: &'a str,
    pub host: &'a str,
    pub path: &'a str,
}

/// Accepts only absolute http(s) URLs with a host and no white space or control characters;
/// `javascript:`, `data:` and friends never become links.
pub fn parse_http_url(url: &str) -> Option<HttpUrl<'_>> {
    // Bidi controls too: browsers percent-encode them, and raw they make a link read as
    // another one ("moc.elgoog" shown as "google.com").
    let bad_char = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{61C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if url.len() > limits::MAX_URL_BYTES || url.chars().any(bad_char) {
        return None;
    }
    let lower_prefix = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower_prefix.starts_with("https://") {
        &url[8..]
    } else if lower_prefix.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Credentials in a link are a phishing trick, not something to hand a teammate.
    if authority.contains('@') {
        return None;
    }
    let host = authority.split(':').next().unwrap_or_default();
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '[' || c == ']');
    if !valid_host {
        return None;
    }
    let after = &rest[end..];
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    Some(HttpUrl {
        authority,
        host,
        path: &after[..path_end],
    })
}

/// The generic canonical reference: lower-cased host (and port) without `www.`, path without doubled or
/// trailing slashes, no query or fragment. Site adapters refine this per tracker.
pub fn canonical_ref(url: &str) -> Option<String> {
    let parsed = parse_http_url(url)?;
    let host = parsed.authority.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let mut out = String::from(host);
    for segment in parsed.path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_only() {
        assert!(parse_http_url("https://github.com/o/r/pull/1").is_some());
        assert!(parse_http_url("HTTP://example.com").is_some());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://example.com/x",
            "https://",
            "https:///path",
            "https://exa mple.com/",
            "https://user:pw@example.com/",
            "//github.com/o/r",
            "github.com/o/r",
            "https://example.com/\u{0}",
            "https://example.com/\u{202E}fdp.exe",
            "https://example.com/a\u{2066}b",
            "https://example.com/\u{200F}",
        ] {
            assert!(parse_http_url(bad).is_none(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(limits::MAX_URL_BYTES));
        assert!(parse_http_url(&long).is_none());
    }

    #[test]
    fn canonical_ref_ignores_spelling() {
        let want = Some("github.com/o/r/pull/12".to_string());
        assert_eq!(canonical_ref("https://github.com/o/r/pull/12"), want);
        assert_eq!(
            canonical_ref("https://WWW.GitHub.com//o/r/pull/12/?x=1#top"),
            want
        );
        assert_eq!(
            canonical_ref("http://github.com/o/r/pull/12#issuecomment-1"),
            want
        );
        assert_eq!(
            canonical_ref("https://gitlab.example:8443/g/sub/p/-/merge_requests/3"),
            Some("gitlab.example:8443/g/sub/p/-/merge_requests/3".to_string())
        );
    }
}
