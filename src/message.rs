//! The one message type between the extension's contexts (`runtime.sendMessage` to the
//! background worker, or a port per request from the content script), and who may send what.
//!
//! The background owns the declared state: the popup asks it to declare or clear, and the
//! worker validates again, stamps, stores the state and its history, and (later) publishes it.
//! On the wire a request is `{"declare":{…declaration…}}` or `"clear"`; a reply is either a
//! [`Response`] (`{"declared":{…state…}}`, `"cleared"`) or an [`ErrorReply`]
//! (`{"error":"invalid","message":"…","errors":[…]}`), the shape the JS loader also uses when
//! Rust fails (`{"error":"internal",…}`). The enums are externally tagged (serde's default):
//! an internal `"type"` tag would make serde buffer every message, at a cost in wasm size.
//!
//! Content scripts send the inline-context requests (`plan`, `render`, `viewed`, `act`, see
//! [`crate::features`]) and get a [`ContentReply`]; they may send nothing else, and only about
//! a page of the origin they run on.

use crate::api::AckRequest;
use crate::connect::Connection;
use crate::features::{PlanReply, RenderReply, RenderRequest};
use crate::mirror::Service;
use crate::model::{Declaration, DeclaredState};
use crate::outbox::Resolution;
use crate::reminder::ReminderState;
use crate::render::Action;
use crate::validate::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Make this the user's declared state (and add it to the history).
    Declare(Box<Declaration>),
    /// Remove the declared state.
    Clear,
    /// Content script: the features and scan plan for the page at `url`.
    Plan { url: String },
    /// Content script: the render specs for what the shim read on a page.
    Render(Box<RenderRequest>),
    /// Content script: the user viewed `url` (the activity log).
    Viewed { url: String, title: String },
    /// Content script: the user pressed a control with `data-action` on `url`.
    Act { url: String, action: Action },
    /// Options page: join a team with an invite code (the worker stores the token; the reply
    /// is the [`Connection`], never the token).
    Connect { server: String, invite: String },
    /// Options page: leave the team on this browser.
    Disconnect,
    /// Options page: test `token` against the service at `api` and keep it for mirroring
    /// (the reply names the account's user, never the token).
    ConnectAccount {
        service: Service,
        api: String,
        token: String,
    },
    /// Options page: forget the account and its token.
    DisconnectAccount { service: Service },
    /// Popup: the user's choice in the conflict view.
    Resolve(Resolution),
    /// "Snooze 30 min" on the end-of-day reminder.
    SnoozeReminder,
    /// "Skip today": no end-of-day reminder for the current (or next) working day.
    SkipReminder,
    /// The digest's "Acknowledge": the user confirms a hand-off addressed to them.
    Acknowledge(AckRequest),
    /// The popup opened: the declared items' live state is read again from the connected
    /// accounts, at most once a minute (the reply does not wait for it).
    RefreshItems,
}

impl Request {
    /// The page a content-script request is about; `None` for the requests only the
    /// extension's own pages may send (never a content script, whose page a website controls).
    fn page_url(&self) -> Option<&str> {
        match self {
            Request::Plan { url } | Request::Viewed { url, .. } | Request::Act { url, .. } => {
                Some(url)
            }
            Request::Render(r) => Some(&r.url),
            Request::Declare(_)
            | Request::Clear
            | Request::SnoozeReminder
            | Request::SkipReminder
            | Request::Acknowledge(_)
            | Request::RefreshItems
            | Request::Connect { .. }
            | Request::Disconnect
            | Request::ConnectAccount { .. }
            | Request::DisconnectAccount { .. }
            | Request::Resolve(_) => None,
        }
    }
}

/// What a content script gets back (`Reply::Content`): serialised only, as the shim reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentReply {
    Plan(Box<PlanReply>),
    Rendered(RenderReply),
    /// `viewed` and `act` were carried out.
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Declared(Box<DeclaredState>),
    Cleared,
    Connected(Box<Connection>),
    Disconnected,
    /// A mirror account connected: its user's name on the service.
    AccountConnected {
        login: String,
    },
    Resolved,
    /// The end-of-day reminder's state after a snooze or a skip.
    Reminder(ReminderState),
    /// The server recorded the acknowledgement (the team cache has it now).
    Acknowledged,
    /// A refresh of the declared items' live state was asked for.
    Refreshing,
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
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::wire::nullable"
    )]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Ok(Response),
    Content(ContentReply),
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
    match request.page_url() {
        None if !from_own_page => Err(ErrorReply::new(
            ErrorCode::Forbidden,
            "Only StandIn's own pages may change the declared state.",
        )),
        None => Ok(()),
        // A content script speaks for the page it runs in: about that origin only, over http(s).
        Some(url) => {
            let page_origin = http_origin(url);
            let sender_origin = sender.url.as_deref().and_then(http_origin);
            if page_origin.is_none() || (!from_own_page && page_origin != sender_origin) {
                Err(ErrorReply::new(
                    ErrorCode::Forbidden,
                    "A content script may only ask about the page it runs in.",
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// `scheme://host:port` of an http(s) URL, lower-cased; `None` for any other URL.
fn http_origin(url: &str) -> Option<String> {
    let parsed = crate::item_ref::parse_http_url(url)?;
    let scheme = url.split_once("://")?.0.to_ascii_lowercase();
    Some(format!(
        "{scheme}://{}",
        parsed.authority.to_ascii_lowercase()
    ))
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
    fn team_requests_come_from_own_pages_and_replies_carry_no_token() {
        let connect: Request =
            serde_json::from_str(r#"{"connect":{"server":"https://x.example","invite":"c"}}"#)
                .unwrap();
        let resolve: Request = serde_json::from_str(r#"{"resolve":"keep_local"}"#).unwrap();
        let account: Request = serde_json::from_str(
            r#"{"connect_account":{"service":"github","api":"https://api.github.com","token":"t"}}"#,
        )
        .unwrap();
        let forget = Request::DisconnectAccount {
            service: crate::mirror::Service::Slack,
        };
        let options = sender(Some(ID), Some(&format!("{BASE}options.html")));
        let content = sender(Some(ID), Some("https://github.com/o/r/pull/1"));
        for request in [connect, Request::Disconnect, resolve, account, forget] {
            assert_eq!(authorize(&request, &options, ID, BASE), Ok(()));
            let refused = authorize(&request, &content, ID, BASE).unwrap_err();
            assert_eq!(refused.error, ErrorCode::Forbidden, "{request:?}");
        }
        let connection: crate::connect::Connection = serde_json::from_str(
            r#"{"server":"https://x.example","team":{"id":"t","name":"Core"},
                "member":{"id":"m","display_name":"Ann","timezone":"UTC"},
                "connected_at":"2026-11-27T17:42:00Z"}"#,
        )
        .unwrap();
        let reply =
            serde_json::to_string(&Reply::Ok(Response::Connected(Box::new(connection)))).unwrap();
        assert!(reply.starts_with(r#"{"connected":{"server":"#), "{reply}");
        assert!(!reply.contains("token"), "{reply}");
    }

    #[test]
    fn only_own_pages_ask_for_a_refresh_of_the_items_state() {
        let request: Request = serde_json::from_str(r#""refresh_items""#).unwrap();
        assert_eq!(request, Request::RefreshItems);
        let popup = sender(Some(ID), Some(&format!("{BASE}popup.html")));
        assert_eq!(authorize(&request, &popup, ID, BASE), Ok(()));
        // A tracker page may not make the worker spend the user's rate limits.
        let content = sender(Some(ID), Some("https://github.com/o/r/pull/1"));
        assert_eq!(
            authorize(&request, &content, ID, BASE).unwrap_err().error,
            ErrorCode::Forbidden
        );
        let reply = serde_json::to_value(Reply::Ok(Response::Refreshing)).unwrap();
        assert_eq!(reply, serde_json::json!("refreshing"));
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
    fn content_scripts_may_ask_about_their_own_page_only() {
        let page = sender(Some(ID), Some("https://github.com/o/r/pull/1"));
        let plan = |url: &str| Request::Plan { url: url.into() };
        assert_eq!(
            authorize(&plan("https://github.com/o/r/pull/2#x"), &page, ID, BASE),
            Ok(())
        );
        let render: Request = serde_json::from_str(
            r#"{"render":{"url":"https://github.com/o/r/pull/1","descriptors":"[]","full":true}}"#,
        )
        .unwrap();
        assert_eq!(authorize(&render, &page, ID, BASE), Ok(()));
        let viewed: Request = serde_json::from_str(
            r#"{"viewed":{"url":"https://github.com/o/r/pull/1","title":"t"}}"#,
        )
        .unwrap();
        assert_eq!(authorize(&viewed, &page, ID, BASE), Ok(()));
        let act: Request = serde_json::from_str(
            r#"{"act":{"url":"https://github.com/o/r/pull/1","action":"dismiss_banner"}}"#,
        )
        .unwrap();
        assert_eq!(authorize(&act, &page, ID, BASE), Ok(()));
        let forbidden = |r: &Request, s: &Sender| authorize(r, s, ID, BASE).unwrap_err().error;
        for other in [
            "https://gitlab.com/g/p/-/merge_requests/1",
            "http://github.com/o/r/pull/1",
            "https://github.com:444/o/r/pull/1",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                forbidden(&plan(other), &page),
                ErrorCode::Forbidden,
                "{other}"
            );
        }
        // Never privileged requests, never from strangers, never unknown actions.
        assert_eq!(forbidden(&Request::Clear, &page), ErrorCode::Forbidden);
        let stranger = sender(Some("other"), Some("https://github.com/o/r/pull/1"));
        assert_eq!(
            forbidden(&plan("https://github.com/o/r/pull/1"), &stranger),
            ErrorCode::Forbidden
        );
        assert!(serde_json::from_str::<Request>(
            r#"{"act":{"url":"https://github.com/o/r/pull/1","action":"declare"}}"#
        )
        .is_err());
        // Our own pages may ask about any tracker page (e.g. a future preview).
        let popup = sender(Some(ID), Some(&format!("{BASE}popup.html")));
        assert_eq!(
            authorize(&plan("https://github.com/o/r/pull/1"), &popup, ID, BASE),
            Ok(())
        );
    }

    #[test]
    fn content_replies_are_externally_tagged() {
        let done = serde_json::to_value(Reply::Content(ContentReply::Done)).unwrap();
        assert_eq!(done, serde_json::json!("done"));
        let rendered = serde_json::to_value(Reply::Content(ContentReply::Rendered(
            RenderReply::default(),
        )))
        .unwrap();
        assert_eq!(
            rendered,
            serde_json::json!({"rendered": {"specs": [], "mounts": []}})
        );
    }

    #[test]
    fn reminder_and_acknowledge_requests_come_from_own_pages_only() {
        let snooze: Request = serde_json::from_str(r#""snooze_reminder""#).unwrap();
        let skip: Request = serde_json::from_str(r#""skip_reminder""#).unwrap();
        let ack: Request = serde_json::from_str(
            r#"{"acknowledge":{"member_id":"m_1","item":"github.com/o/r/pull/1"}}"#,
        )
        .unwrap();
        let popup = sender(Some(ID), Some(&format!("{BASE}popup.html")));
        let content = sender(Some(ID), Some("https://github.com/o/r/pull/1"));
        for request in [snooze, skip, ack] {
            assert_eq!(authorize(&request, &popup, ID, BASE), Ok(()));
            let refused = authorize(&request, &content, ID, BASE).unwrap_err();
            assert_eq!(refused.error, ErrorCode::Forbidden);
        }
    }

    /// Where decoding `text` as `T` failed.
    fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        crate::wire::from_str::<T>(text).unwrap_err().path
    }

    fn connection() -> Connection {
        Connection {
            server: "https://x.example".into(),
            team: crate::api::TeamInfo {
                id: "t".into(),
                name: "Core".into(),
            },
            member: crate::model::Member {
                id: "m".into(),
                display_name: "Ann".into(),
                handles: Default::default(),
                timezone: "UTC".into(),
                working_hours: None,
            },
            connected_at: Timestamp(1_795_000_000_000),
        }
    }

    #[test]
    fn every_request_decodes_as_serde_writes_it() {
        use crate::wire::check::round_trips;
        for request in [
            Request::Declare(Box::new(crate::model::tests::sample())),
            Request::Declare(Box::new(declaration())),
            Request::Clear,
            Request::Plan {
                url: "https://github.com/o/r/pull/1".into(),
            },
            Request::Render(Box::new(RenderRequest {
                url: "https://github.com/o/r/pull/1".into(),
                full: true,
                fresh: true,
                ..RenderRequest::default()
            })),
            Request::Render(Box::default()),
            Request::Viewed {
                url: "https://github.com/o/r/pull/1".into(),
                title: "t".into(),
            },
            Request::Viewed {
                url: String::new(),
                title: "\"Fix\" \\ é\n".into(),
            },
            Request::Act {
                url: "https://github.com/o/r/pull/1".into(),
                action: Action::DismissBanner,
            },
            Request::Connect {
                server: "https://x.example".into(),
                invite: "c".into(),
            },
            Request::Disconnect,
            Request::Resolve(Resolution::KeepLocal),
            Request::Resolve(Resolution::Merge),
            Request::SnoozeReminder,
            Request::SkipReminder,
            Request::Acknowledge(AckRequest {
                member_id: "m_1".into(),
                item: Some("github.com/o/r/pull/1".into()),
            }),
            Request::Acknowledge(AckRequest {
                member_id: "m_1".into(),
                item: None,
            }),
        ] {
            round_trips(&request);
        }
    }

    #[test]
    fn requests_decode_the_wire_shapes_and_refuse_others() {
        let declare = crate::wire::from_str::<Request>(
            r#"{"declare":{"status":"away","headline":"Lunch","timezone":"UTC"}}"#,
        );
        assert_eq!(declare, Ok(Request::Declare(Box::new(declaration()))));
        assert_eq!(
            crate::wire::from_str::<Request>(r#"{"resolve":"keep_local"}"#),
            Ok(Request::Resolve(Resolution::KeepLocal))
        );
        assert_eq!(
            crate::wire::from_str::<Request>(
                r#"{"connect":{"server":"https://x.example","invite":"c"}}"#
            ),
            Ok(Request::Connect {
                server: "https://x.example".into(),
                invite: "c".into()
            })
        );
        assert_eq!(
            crate::wire::from_str::<Request>(r#""snooze_reminder""#),
            Ok(Request::SnoozeReminder)
        );
        assert_eq!(
            crate::wire::from_str::<Request>(
                r#"{"acknowledge":{"member_id":"m_1","item":"github.com/o/r/pull/1"}}"#
            ),
            Ok(Request::Acknowledge(AckRequest {
                member_id: "m_1".into(),
                item: Some("github.com/o/r/pull/1".into())
            }))
        );
        let render = crate::wire::from_str::<Request>(
            r#"{"render":{"url":"https://github.com/o/r/pull/1","descriptors":"[]","full":true}}"#,
        );
        assert!(matches!(render, Ok(Request::Render(r)) if r.full && !r.fresh));
        assert_eq!(
            crate::wire::from_str::<Request>(
                r#"{"act":{"url":"https://github.com/o/r/pull/1","action":"dismiss_banner"}}"#
            ),
            Ok(Request::Act {
                url: "https://github.com/o/r/pull/1".into(),
                action: Action::DismissBanner
            })
        );

        for (bad, path) in [
            (r#""launch_rockets""#, ""),
            (r#"{"type":"clear"}"#, ""),
            (r#"{"clear":null,"declare":{}}"#, ""),
            ("42", ""),
            (r#""declare""#, "declare"),
            (r#""plan""#, "plan"),
            (r#"{"plan":"https://github.com/o/r/pull/1"}"#, "plan"),
            (r#"{"plan":{}}"#, "plan.url"),
            (
                r#"{"viewed":{"url":"https://github.com/o/r/pull/1"}}"#,
                "viewed.title",
            ),
            (
                r#"{"act":{"url":"https://github.com/o/r/pull/1","action":"declare"}}"#,
                "act.action",
            ),
            (
                r#"{"connect":{"server":"https://x.example","invite":7}}"#,
                "connect.invite",
            ),
            (r#"{"resolve":"keep_both"}"#, "resolve"),
            (r#"{"acknowledge":{"item":"x"}}"#, "acknowledge.member_id"),
            (
                r#"{"declare":{"status":"asleep","headline":"x","timezone":"UTC"}}"#,
                "declare.status",
            ),
            (r#"{"render":{"full":true}}"#, "render.url"),
        ] {
            assert!(
                serde_json::from_str::<Request>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(refused::<Request>(bad), path, "{bad}");
        }
    }

    #[test]
    fn replies_decode_as_serde_writes_them() {
        use crate::wire::check::round_trips;
        for response in [
            Response::Declared(Box::new(DeclaredState {
                declaration: crate::model::tests::sample(),
                declared_at: Timestamp(1_795_000_000_000),
                version: 3,
            })),
            Response::Cleared,
            Response::Connected(Box::new(connection())),
            Response::Disconnected,
            Response::Resolved,
            Response::Reminder(ReminderState {
                snoozed_until: Some(Timestamp(1_795_000_000_000)),
                skipped_shift: Some(Timestamp(1_795_000_060_000)),
                notified: Some(Timestamp(1_795_000_120_000)),
            }),
            Response::Reminder(ReminderState::default()),
            Response::Acknowledged,
        ] {
            round_trips(&response);
        }
        let invalid = ErrorReply {
            error: ErrorCode::Invalid,
            message: "Fix it.".into(),
            errors: vec![
                FieldError {
                    field: "headline".into(),
                    message: "Required.".into(),
                },
                FieldError {
                    field: "items[0].url".into(),
                    message: "Not a \"link\".".into(),
                },
            ],
        };
        round_trips(&invalid);
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::Forbidden,
            ErrorCode::Invalid,
            ErrorCode::Internal,
        ] {
            round_trips(&ErrorReply::new(code, "no"));
        }

        // The JS loader's own failure reply.
        assert_eq!(
            crate::wire::from_str::<ErrorReply>(r#"{"error":"internal","message":"boom"}"#),
            Ok(ErrorReply::new(ErrorCode::Internal, "boom"))
        );
        assert_eq!(
            refused::<ErrorReply>(r#"{"error":"teapot","message":"x"}"#),
            "error"
        );
        assert_eq!(refused::<ErrorReply>(r#"{"error":"internal"}"#), "message");
        assert_eq!(
            refused::<ErrorReply>(r#"{"error":"invalid","message":"x","errors":[{"field":"a"}]}"#),
            "errors[0].message"
        );
        assert_eq!(refused::<Response>(r#""launched""#), "");
        assert_eq!(refused::<Response>(r#""declared""#), "declared");
        assert_eq!(
            refused::<Response>(r#"{"declared":{}}"#),
            "declared.declaration"
        );
        assert_eq!(
            refused::<Response>(r#"{"connected":{"server":"https://x.example"}}"#),
            "connected.team"
        );
    }

    #[test]
    fn senders_decode_as_the_loader_describes_them() {
        assert_eq!(
            crate::wire::from_str::<Sender>(
                r#"{"id":"abc","url":"https://github.com/o/r","tab":{"id":3},"frameId":0}"#
            ),
            Ok(sender(Some("abc"), Some("https://github.com/o/r")))
        );
        assert_eq!(crate::wire::from_str::<Sender>("{}"), Ok(Sender::default()));
        assert_eq!(
            crate::wire::from_str::<Sender>(r#"{"id":null,"url":null}"#),
            Ok(Sender::default())
        );
        assert_eq!(refused::<Sender>(r#"{"id":7}"#), "id");
        assert_eq!(refused::<Sender>("null"), "");
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
