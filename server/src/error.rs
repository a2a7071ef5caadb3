//! One error type for every handler. Each variant maps to a status code and the shared JSON
//! body `{error, message, field?}`; storage failures are logged and answered as a bare 500 so
//! no database text reaches a client.

use crate::storage::StorageError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use standin::api::{ApiError, MemberState};
use standin::validate::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("missing, unknown or revoked bearer token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error("{0}")]
    Conflict(String),
    /// Another member of the team already goes by a name given (409, fields named).
    #[error("name taken: {0}")]
    NameTaken(ValidationErrors),
    /// A hand-off or the cover names no member of the team (400, fields named).
    #[error("unknown member: {0}")]
    UnknownMember(ValidationErrors),
    #[error("the state changed since the version in If-Match")]
    VersionConflict(Box<MemberState>),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("If-Match is required: send the version you replace (0 for a first declaration)")]
    PreconditionRequired,
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(#[from] StorageError),
}

impl AppError {
    pub fn bad_request(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Gone { code, .. } => (StatusCode::GONE, code),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::NameTaken(_) => (StatusCode::CONFLICT, "name_taken"),
            AppError::UnknownMember(_) => (StatusCode::BAD_REQUEST, "unknown_member"),
            AppError::VersionConflict(_) => (StatusCode::PRECONDITION_FAILED, "version_conflict"),
            AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AppError::InvalidField { .. } | AppError::Validation(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            }
            AppError::PreconditionRequired => {
                (StatusCode::PRECONDITION_REQUIRED, "precondition_required")
            }
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The wire body for a status the router or a middleware produced (unknown route, 405, 408…).
pub fn body_for_status(status: StatusCode) -> ApiError {
    let (error, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "No such endpoint."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method not allowed here."),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Request body over 64 KiB."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Expected Content-Type: application/json.",
        ),
        s if s.is_server_error() => ("internal", "Internal error."),
        _ => ("bad_request", "Bad request."),
    };
    wire(error, message.to_owned(), None)
}

fn wire(error: &str, message: String, field: Option<String>) -> ApiError {
    ApiError {
        error: error.to_owned(),
        message,
        field,
        errors: Vec::new(),
        current: None,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = match &self {
            AppError::Internal(error) => {
                tracing::error!(%error, "request failed");
                wire(code, "Internal error.".to_owned(), None)
            }
            AppError::BadRequest { message, field, .. } => {
                wire(code, message.clone(), field.clone())
            }
            AppError::InvalidField { field, message } => {
                wire(code, message.clone(), Some(field.clone()))
            }
            AppError::Validation(errors)
            | AppError::NameTaken(errors)
            | AppError::UnknownMember(errors) => ApiError {
                field: errors.0.first().map(|e| e.field.clone()),
                message: errors
                    .0
                    .first()
                    .map_or_else(String::new, |e| e.message.clone()),
                errors: errors.0.clone(),
                ..wire(code, String::new(), None)
            },
            AppError::VersionConflict(current) => ApiError {
                current: Some((**current).clone()),
                ..wire(code, self.to_string(), None)
            },
            other => wire(code, other.to_string(), None),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            AppError::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            AppError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
