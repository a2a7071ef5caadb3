//! The background worker: owns the declared state (the popup asks it, through
//! [`crate::message::Request`], to declare or clear) and keeps the toolbar badge in step with
//! `storage.local`'s state key, whoever wrote it.

use super::ext::{self, Area, ExtError};
use crate::badge::toolbar_badge;
use crate::message::{authorize, ErrorCode, ErrorReply, Reply, Request, Response, Sender};
use crate::model::DeclaredState;
use crate::store::{push_history, HISTORY_KEY, STATE_KEY};
use crate::time::Timestamp;
use crate::validate::validate_declaration;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Fires when the declared state expires, so the badge's tooltip can say so.
const EXPIRY_ALARM: &str = "badge-expiry";

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// Runs at every worker start (so after install, browser start-up, and every wake-up): the
/// badge may be stale, and alarms need not survive a browser restart.
pub async fn start() -> Result<(), ExtError> {
    refresh_badge().await
}

/// One event from the loader (see `extension/background.js` for kinds and payloads).
pub async fn handle_event(kind: &str, payload: JsValue) -> Result<JsValue, ExtError> {
    let field = |name: &str| Reflect::get(&payload, &name.into()).unwrap_or_default();
    match kind {
        // Firefox may report unchanged keys: re-reading the stored state makes repeats harmless.
        "storage_changed" => {
            let local = field("area").as_string().as_deref() == Some("local");
            let changes = field("changes");
            let state_changed = Reflect::has(&changes, &STATE_KEY.into()).unwrap_or(false);
            if local && state_changed {
                refresh_badge().await?;
            }
        }
        "alarm" if field("name").as_string().as_deref() == Some(EXPIRY_ALARM) => {
            refresh_badge().await?;
        }
        "message" => {
            let reply = Reply::from(answer(&field("message"), &field("sender")).await);
            return ext::to_js(&reply);
        }
        // "installed" and "startup" need nothing beyond `start`, which ran first.
        _ => {}
    }
    Ok(JsValue::UNDEFINED)
}

async fn refresh_badge() -> Result<(), ExtError> {
    let state: Option<DeclaredState> = ext::get(Area::Local, STATE_KEY).await?;
    let now = now();
    ext::set_badge(&toolbar_badge(state.as_ref(), now)).await?;
    match state.and_then(|s| s.declaration.expires_at) {
        Some(at) if at > now => ext::create_alarm(EXPIRY_ALARM, at.millis()).await,
        _ => ext::clear_alarm(EXPIRY_ALARM).await,
    }
}

async fn answer(message: &JsValue, sender: &JsValue) -> Result<Response, ErrorReply> {
    let internal = |e: ExtError| ErrorReply::new(ErrorCode::Internal, e.to_string());
    let sender: Sender = ext::from_js(sender, "sender").map_err(internal)?;
    let request: Request = ext::from_js(message, "message")
        .map_err(|e| ErrorReply::new(ErrorCode::BadRequest, e.to_string()))?;
    let own_id = ext::runtime_id().map_err(internal)?;
    let own_base_url = ext::own_base_url().map_err(internal)?;
    authorize(&request, &sender, &own_id, &own_base_url)?;
    match request {
        Request::Declare(declaration) => {
            let now = now();
            // The popup validated too; a message is still input.
            validate_declaration(&declaration, Some(now))?;
            let state = DeclaredState {
                declaration: *declaration,
                declared_at: now,
                version: 0,
            };
            let history = match ext::get(Area::Local, HISTORY_KEY).await {
                Ok(history) => history.unwrap_or_default(),
                // A history this version cannot read is not worth refusing a declaration for.
                Err(ExtError::Decode { .. }) => Vec::new(),
                Err(e) => return Err(internal(e)),
            };
            let history = push_history(history, state.clone());
            let state_json = ext::encode(&state).map_err(internal)?;
            let history_json = ext::encode(&history).map_err(internal)?;
            ext::set(
                Area::Local,
                &[(STATE_KEY, &state_json), (HISTORY_KEY, &history_json)],
            )
            .await
            .map_err(internal)?;
            Ok(Response::Declared(Box::new(state)))
        }
        Request::Clear => {
            ext::remove(Area::Local, &[STATE_KEY])
                .await
                .map_err(internal)?;
            Ok(Response::Cleared)
        }
    }
}
