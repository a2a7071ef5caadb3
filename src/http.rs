//! What the extension needs from one HTTP exchange with the team server, as data: the status,
//! the two headers the sync rules read (and the scopes header a mirror account's token check
//! reads), and a body that was size-capped while it was read. The
//! browser shell (`wasm::net`) fills these in; [`crate::connect`] and [`crate::sync`] decide
//! what an answer means. Pure, so every decision is tested natively.

use serde::de::DeserializeOwned;

/// The largest answer body read from a server. The biggest legitimate one, a 1,000-member
/// team's states, stays well under it; anything larger is refused before it is parsed, so a
/// hostile or broken server cannot exhaust the worker's memory.
pub const MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// Requests other than the long poll must answer within this.
pub const REQUEST_TIMEOUT_MS: u32 = 15_000;

/// The longest `Retry-After` honoured; a server asking for more is retried after this.
const MAX_RETRY_AFTER_MS: i64 = 60 * 60 * 1000;

/// One answer: status, headers, body.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// `Retry-After`, as sent.
    pub retry_after: Option<String>,
    /// `ETag`, as sent.
    pub etag: Option<String>,
    /// `X-OAuth-Scopes`, as sent: the token's scopes, on GitHub's and Slack's answers
    /// (`crate::mirror::scope_check`).
    pub oauth_scopes: Option<String>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The body decoded as JSON into the type the status calls for. A wrong shape is an
    /// error, never a panic.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, String> {
        crate::wire::from_body(&self.body).map_err(|e| e.to_string())
    }
}

/// Why there is no answer to classify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// Refused, reset, DNS, TLS, a redirect (refused: a bearer token follows no redirect).
    #[error("no answer ({0})")]
    Unreachable(String),
    #[error("no answer in time")]
    Timeout,
    #[error("the answer is larger than {} MiB", MAX_RESPONSE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the answer is not UTF-8 text")]
    NotText,
}

/// Whether `Content-Length` already announces more than the cap (refused unread).
pub fn announced_too_large(content_length: Option<&str>) -> bool {
    content_length
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
}

/// Whether a body that has `read` bytes so far may take `chunk` more. A compressed answer's
/// `Content-Length` is its compressed size, so the cap is enforced again while reading.
pub fn fits_cap(read: usize, chunk: usize) -> bool {
    read.saturating_add(chunk) <= MAX_RESPONSE_BYTES
}

/// `Retry-After: <seconds>` in ms (capped). The HTTP-date form is not used by the StandIn
/// server and is ignored: the caller's own backoff applies then.
pub fn retry_after_ms(header: Option<&str>) -> Option<i64> {
    let seconds: i64 = header?.trim().parse().ok().filter(|s| *s >= 0)?;
    Some(seconds.saturating_mul(1000).min(MAX_RETRY_AFTER_MS))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An answer with a text body.
    pub(crate) fn answer(status: u16, body: &str) -> Result<Answer, NetError> {
        Ok(Answer {
            status,
            retry_after: None,
            etag: None,
            oauth_scopes: None,
            body: body.to_string(),
        })
    }

    #[test]
    fn size_caps_apply_before_and_while_reading() {
        assert!(!announced_too_large(None));
        assert!(!announced_too_large(Some("2097152")));
        assert!(announced_too_large(Some(" 2097153 ")));
        assert!(announced_too_large(Some("99999999999999999")));
        assert!(
            !announced_too_large(Some("lots")),
            "unparsable: read and cap"
        );
        assert!(fits_cap(0, MAX_RESPONSE_BYTES));
        assert!(!fits_cap(1, MAX_RESPONSE_BYTES));
        assert!(!fits_cap(usize::MAX, 1));
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        assert_eq!(retry_after_ms(Some("3")), Some(3_000));
        assert_eq!(retry_after_ms(Some(" 0 ")), Some(0));
        assert_eq!(retry_after_ms(Some("999999999")), Some(3_600_000));
        assert_eq!(retry_after_ms(Some("-1")), None);
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after_ms(None), None);
    }
}
