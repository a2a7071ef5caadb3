//! Request extractors that answer in the API's error format: JSON bodies (415/413/400/422 with
//! the offending field), the bearer token (401, then the per-token rate limit: 429), and
//! version preconditions (`If-Match`, 428/400).

use crate::error::AppError;
use crate::storage::Principal;
use crate::token;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body whose errors name the field: `items[2].state: unknown variant …`.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
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
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest {
            code: "malformed_json",
            message: format!("Malformed JSON: {e}"),
            field: None,
        })?;
    if !value.is_object() {
        // serde would accept a struct written as an array of its fields.
        return Err(AppError::invalid("body", "Expected a JSON object."));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        AppError::invalid(field_path(&path, &message), message)
    })
}

/// The error's path names the field, except for a missing field, reported at its parent.
fn field_path(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (_, Some(name)) => format!("{path}.{name}"),
        (".", None) => "body".to_owned(),
        (_, None) => path.to_owned(),
    }
}

/// The authenticated member. Unknown or revoked tokens are 401; a known token over its rate
/// is 429.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
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
        let hash = token::hash(token);
        let principal = match state.principals.get(&hash) {
            Some(principal) => principal,
            None => {
                let principal = state
                    .store
                    .principal(&hash)
                    .await?
                    .ok_or(AppError::Unauthorized)?;
                state.principals.put(&hash, &principal);
                principal
            }
        };
        state
            .limiter
            .check(&hash)
            .map_err(|wait| AppError::RateLimited {
                retry_after_secs: wait.as_secs() + 1,
            })?;
        Ok(Auth(principal))
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
    if unquoted.is_empty() || !unquoted.bytes().all(|b| b.is_ascii_digit()) {
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
        ] {
            h.insert(header::IF_MATCH, HeaderValue::from_static(value));
            assert!(if_match(&h).is_err(), "{value}");
        }
    }

    #[test]
    fn field_paths_name_the_field() {
        assert_eq!(field_path("x", "unknown field `x`, expected y"), "x");
        assert_eq!(
            field_path("items[0]", "missing field `url`"),
            "items[0].url"
        );
        assert_eq!(
            field_path("items[0].state", "unknown variant"),
            "items[0].state"
        );
        assert_eq!(field_path(".", "missing field `headline`"), "headline");
        assert_eq!(field_path(".", "invalid type: sequence"), "body");
    }
}
