//! The one message type between the extension's contexts (`runtime.sendMessage` to the
//! background worker), and who may send what.
//!
//! The background owns the declared state: the popup asks it to declare or clear, and the
//! worker validates again, stamps, stores the state and its history, and (later) publishes it.
//! On the wire a request is `{"declare":{…declaration…}}` or `"clear"`; a reply is either a
//! [`Response`] (`{"declared":{…state…}}`, `"cleared"`) or an [`ErrorReply`]
//! (`{"error":"invalid","message":"…","errors":[…]}`), the shape the JS loader also uses when
//! Rust fails (`{"error":"internal",…}`). The enums are externally tagged (serde's default):
//! an internal `"type"` tag would make serde buffer every message, at a cost in wasm size.

use crate::model::{Declaration, DeclaredState};
use crate::validate::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Make this the user's declared state (and add it to the history).
    Declare(Box<Declaration>),
    /// Remove the declared state.
    Clear,
}

impl Request {
    /// Whether only the extension's own pages may send it (never a content script, whose page
    /// a website controls).
    fn requires_extension_page(&self) -> bool {
        match self {
            Request::Declare(_) | Request::Clear => true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Declared(Box<DeclaredState>),
    Cleared,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not a request this version understands.
    BadRequest,
    /// The sender may not send this request.
    Forbidden,
    /// The declaration failed validation; `errors` says where.
    Invalid,
    /// Storage or another browser API failed.
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    pub error: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ErrorReply {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> ErrorReply {
        ErrorReply {
            error,
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

impl From<ValidationErrors> for ErrorReply {
    fn from(invalid: ValidationErrors) -> ErrorReply {
        ErrorReply {
            error: ErrorCode::Invalid,
            message: invalid.to_string(),
            errors: invalid.0,
        }
    }
}

/// What the sender of a message gets back. Receivers tell the two apart by the `error`
/// member rather than deserializing this `untagged` enum (serde's buffering costs wasm size).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Ok(Response),
    Err(ErrorReply),
}

impl From<Result<Response, ErrorReply>> for Reply {
    fn from(result: Result<Response, ErrorReply>) -> Reply {
        match result {
            Ok(response) => Reply::Ok(response),
            Err(error) => Reply::Err(error),
        }
    }
}

/// The sender as the JS loader describes `runtime.MessageSender`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Sender {
    pub id: Option<String>,
    pub url: Option<String>,
}

/// Checks that `sender` may send `request`: always our own extension; for privileged requests
/// also one of our own pages (`own_base_url` is `runtime.getURL("")`, e.g.
/// `chrome-extension://<id>/`). A content script reports the web page's URL, so it fails the
/// second check even though it carries our id.
pub fn authorize(
    request: &Request,
    sender: &Sender,
    own_id: &str,
    own_base_url: &str,
) -> Result<(), ErrorReply> {
    if sender.id.as_deref() != Some(own_id) {
        return Err(ErrorReply::new(
            ErrorCode::Forbidden,
            "Messages are accepted from this extension only.",
        ));
    }
    let from_own_page = !own_base_url.is_empty()
        && sender
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with(own_base_url));
    if request.requires_extension_page() && !from_own_page {
        return Err(ErrorReply::new(
            ErrorCode::Forbidden,
            "Only StandIn's own pages may change the declared state.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    const ID: &str = "abcdefghijklmnopabcdefghijklmnop";
    const BASE: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/";

    fn sender(id: Option<&str>, url: Option<&str>) -> Sender {
        Sender {
            id: id.map(str::to_string),
            url: url.map(str::to_string),
        }
    }

    fn declaration() -> Declaration {
        serde_json::from_str(r#"{"status":"away","headline":"Lunch","timezone":"UTC"}"#).unwrap()
    }

    #[test]
    fn requests_are_externally_tagged() {
        let json = serde_json::to_value(Request::Clear).unwrap();
        assert_eq!(json, serde_json::json!("clear"));
        let declare: Request = serde_json::from_str(
            r#"{"declare":{"status":"away","headline":"Lunch","timezone":"UTC"}}"#,
        )
        .unwrap();
        assert_eq!(declare, Request::Declare(Box::new(declaration())));
        assert!(serde_json::from_str::<Request>(r#""launch_rockets""#).is_err());
        assert!(serde_json::from_str::<Request>(r#"{"type":"clear"}"#).is_err());
    }

    #[test]
    fn replies_are_told_apart_by_their_error_member() {
        let ok = Reply::Ok(Response::Declared(Box::new(DeclaredState {
            declaration: declaration(),
            declared_at: Timestamp(0),
            version: 0,
        })));
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(json["declared"]["declaration"]["headline"], "Lunch");
        assert!(json.get("error").is_none());
        assert_eq!(
            serde_json::from_value::<Response>(json).unwrap(),
            Response::Declared(Box::new(DeclaredState {
                declaration: declaration(),
                declared_at: Timestamp(0),
                version: 0,
            }))
        );
        let cleared = serde_json::to_value(Reply::Ok(Response::Cleared)).unwrap();
        assert_eq!(cleared, serde_json::json!("cleared"));
        let failed = Reply::Err(ErrorReply::new(ErrorCode::Forbidden, "no"));
        let json = serde_json::to_value(&failed).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "forbidden", "message": "no"})
        );
        // The JS loader's own failure reply parses as an error too.
        let internal: ErrorReply =
            serde_json::from_str(r#"{"error":"internal","message":"boom"}"#).unwrap();
        assert_eq!(internal, ErrorReply::new(ErrorCode::Internal, "boom"));
    }

    #[test]
    fn own_pages_may_declare() {
        let popup = sender(Some(ID), Some(&format!("{BASE}popup.html")));
        assert_eq!(authorize(&Request::Clear, &popup, ID, BASE), Ok(()));
        // The options page runs in a tab; it is still our page.
        let options = sender(Some(ID), Some(&format!("{BASE}options.html")));
        assert_eq!(authorize(&Request::Clear, &options, ID, BASE), Ok(()));
    }

    #[test]
    fn content_scripts_and_strangers_may_not() {
        let forbidden = |s: Sender| authorize(&Request::Clear, &s, ID, BASE).unwrap_err().error;
        let content = sender(Some(ID), Some("https://github.com/o/r/pull/1"));
        assert_eq!(forbidden(content), ErrorCode::Forbidden);
        let lookalike = sender(
            Some(ID),
            Some("chrome-extension://abcdefghijklmnopabcdefghijklmnopX/popup.html"),
        );
        assert_eq!(forbidden(lookalike), ErrorCode::Forbidden);
        let other = sender(Some("other"), Some("chrome-extension://other/popup.html"));
        assert_eq!(forbidden(other), ErrorCode::Forbidden);
        assert_eq!(forbidden(sender(None, None)), ErrorCode::Forbidden);
        let popup = sender(Some(ID), Some(&format!("{BASE}popup.html")));
        assert_eq!(
            authorize(&Request::Clear, &popup, ID, "")
                .unwrap_err()
                .error,
            ErrorCode::Forbidden,
            "an unknown own URL trusts nobody"
        );
    }

    #[test]
    fn validation_errors_travel_with_their_fields() {
        let invalid = ValidationErrors(vec![FieldError {
            field: "headline".into(),
            message: "Required.".into(),
        }]);
        let reply = ErrorReply::from(invalid);
        assert_eq!(reply.error, ErrorCode::Invalid);
        assert_eq!(reply.errors[0].field, "headline");
    }
}
