//! Request extractors that answer in the API's error format: JSON bodies (415/413/400/422 with
//! the offending field), the bearer token (401, then the per-token rate limit: 429), the
//! per-address rate limit of unauthenticated endpoints (429), and version preconditions
//! (`If-Match`, 428/400).

use crate::error::AppError;
use crate::storage::{Principal, Storage};
use crate::token;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use standin::wire::deserialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// A JSON body whose errors name the field: `items[2].state: unknown variant …`.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Serialize,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest {
                    code: "bad_body",
                    message: "Could not read the request body.".to_owned(),
                    field: None,
                }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Syntax errors are 400 `malformed_json`; well-formed JSON of the wrong shape (types, unknown
/// or missing fields) is 422 with the field's path. Parsing goes through `Value` first because
/// serde_json reports some type errors (a number where an enum belongs) as syntax errors.
/// The wire types ignore unknown fields (the extension reads values newer versions wrote), so
/// the server refuses them here: a client that sends a field the server would drop learns it.
/// Likewise an object written as an array of its fields, which serde would accept.
pub fn parse_json<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, AppError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest {
        code: "malformed_json",
        message: format!("Malformed JSON: {e}"),
        field: None,
    })?;
    if !value.is_object() {
        return Err(AppError::invalid("body", "Expected a JSON object."));
    }
    let sent = value.clone();
    let mut unknown = None;
    let mut note = |path: serde_ignored::Path| {
        unknown.get_or_insert_with(|| ignored_path(&path));
    };
    let parsed = deserialize(serde_ignored::Deserializer::new(value, &mut note)).map_err(|e| {
        let field = if e.path.is_empty() {
            "body".to_owned()
        } else {
            e.path
        };
        AppError::invalid(field, e.problem)
    })?;
    if let Some(path) = serde_json::to_value(&parsed)
        .ok()
        .and_then(|read| array_for_object(&sent, &read, String::new()))
    {
        return Err(AppError::invalid(path, "Expected a JSON object."));
    }
    match unknown {
        None => Ok(parsed),
        Some(path) => {
            let name = path
                .rsplit(['.', ']'])
                .next()
                .unwrap_or_default()
                .to_owned();
            Err(AppError::invalid(path, format!("unknown field `{name}`")))
        }
    }
}

/// The path of the first object that was sent as an array, found by walking what was sent
/// beside what was read from it.
fn array_for_object(sent: &Value, read: &Value, path: String) -> Option<String> {
    match (sent, read) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Object(sent), Value::Object(read)) => sent.iter().find_map(|(key, sent)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            array_for_object(sent, read.get(key)?, inner)
        }),
        (Value::Array(sent), Value::Array(read)) => sent
            .iter()
            .zip(read)
            .enumerate()
            .find_map(|(i, (sent, read))| array_for_object(sent, read, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// A field serde ignored, as `items[0].owner`.
fn ignored_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => match ignored_path(parent) {
            parent if parent.is_empty() => key.clone(),
            parent => format!("{parent}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

/// The authenticated member. Unknown or revoked tokens are 401; a known token over its rate
/// is 429.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Bearer::from_request_parts(parts, state)
            .await
            .map(|bearer| Auth(bearer.principal))
    }
}

/// [`Auth`] with the token's hash kept, for a request that must check the token again later:
/// a long poll, after each wait.
pub struct Bearer {
    pub principal: Principal,
    token_hash: String,
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(AppError::Unauthorized)?;
        let token_hash = token::hash(token);
        let principal = match state.principals.get(&token_hash) {
            Some(principal) => principal,
            None => {
                let principal = state
                    .store
                    .principal(&token_hash)
                    .await?
                    .ok_or(AppError::Unauthorized)?;
                state.principals.put(&token_hash, &principal);
                principal
            }
        };
        state.limiter.check(&token_hash).map_err(rate_limited)?;
        Ok(Bearer {
            principal,
            token_hash,
        })
    }
}

impl Bearer {
    /// 401 once the token is revoked or its member removed. Asks the database, not the token
    /// cache, so nothing read after this call was declared after the revocation.
    pub async fn recheck(&self, store: &dyn Storage) -> Result<(), AppError> {
        match store.principal(&self.token_hash).await? {
            Some(now) if now.member_id == self.principal.member_id => Ok(()),
            _ => Err(AppError::Unauthorized),
        }
    }
}

/// An unauthenticated request, admitted by its client address's rate limit (429 over it).
pub struct PerAddress;

impl FromRequestParts<AppState> for PerAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let client = client_ip(parts, &state.options.trusted_proxies);
        state
            .address_limiter
            .check(&address_key(client))
            .map_err(rate_limited)?;
        Ok(PerAddress)
    }
}

fn rate_limited(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_secs: wait.as_secs() + 1,
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (read from the right) that is not a trusted proxy itself.
/// `None` without a socket (the router called directly, as tests do).
pub fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    let mut client = peer.ip().to_canonical();
    let hops = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').rev());
    for hop in hops {
        if !trusted.contains(&client) {
            break;
        }
        // An unreadable hop ends the chain at the last address we can vouch for.
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
    }
    Some(client)
}

/// The rate-limit bucket of an address. IPv6 clients count per /64, the block one subscriber
/// usually holds (else each could take a fresh bucket per request).
fn address_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(v4) => v4.to_string(),
        None => String::new(),
    }
}

/// The version a write replaces, from `If-Match: "3"` (quotes optional). Version 0 means "no
/// state yet". A missing header is 428: a write must always say what it replaces.
pub fn if_match(headers: &HeaderMap) -> Result<u64, AppError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(AppError::PreconditionRequired)?;
    let bad = || {
        AppError::bad_request(
            "bad_if_match",
            "If-Match",
            "If-Match must be one version number, e.g. \"3\" (0 before the first declaration).",
        )
    };
    let text = raw.to_str().map_err(|_| bad())?.trim();
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    // As `openapi::IF_MATCH` documents it: at most 19 digits, so every version fits an i64.
    if !(1..=19).contains(&unquoted.len()) || !unquoted.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    unquoted.parse().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn if_match_accepts_quoted_and_bare_versions_only() {
        let mut h = HeaderMap::new();
        assert!(matches!(if_match(&h), Err(AppError::PreconditionRequired)));
        for (value, want) in [("\"3\"", Some(3)), ("0", Some(0)), (" 12 ", Some(12))] {
            h.insert(header::IF_MATCH, HeaderValue::from_static(value));
            assert_eq!(if_match(&h).ok(), want, "{value}");
        }
        for value in [
            "*",
            "W/\"3\"",
            "-1",
            "\"\"",
            "3,4",
            "1e3",
            "99999999999999999999999",
            "12345678901234567890",
        ] {
            h.insert(header::IF_MATCH, HeaderValue::from_static(value));
            assert!(if_match(&h).is_err(), "{value}");
        }
    }

    #[test]
    fn forwarded_for_is_read_only_behind_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let client = |peer: &str, forwarded: &[&str]| {
            let mut req = axum::http::Request::new(());
            let peer: SocketAddr = peer.parse().unwrap();
            req.extensions_mut().insert(ConnectInfo(peer));
            for value in forwarded {
                req.headers_mut()
                    .append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
            }
            client_ip(&req.into_parts().0, &[proxy]).map(|ip| ip.to_string())
        };
        let ip = |s: &str| Some(s.to_owned());
        assert_eq!(
            client("10.0.0.5:1", &["1.2.3.4"]),
            ip("10.0.0.5"),
            "untrusted peer"
        );
        assert_eq!(client("10.0.0.9:1", &["1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(
            client("10.0.0.9:1", &["6.6.6.6, 1.2.3.4"]),
            ip("1.2.3.4"),
            "the client's own claims to the left are not believed"
        );
        assert_eq!(
            client("10.0.0.9:1", &["1.2.3.4", "10.0.0.9"]),
            ip("1.2.3.4"),
            "a chain of trusted proxies, over two header lines"
        );
        assert_eq!(client("10.0.0.9:1", &["junk"]), ip("10.0.0.9"));
        assert_eq!(client("10.0.0.9:1", &[]), ip("10.0.0.9"));
        assert_eq!(client("[::ffff:10.0.0.9]:1", &["1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(
            address_key("2001:db8:1:2:3:4:5:6".parse().ok()),
            "2001:db8:1:2::/64"
        );
    }
}
