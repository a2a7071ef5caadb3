//! The background worker: owns the declared state (the popup asks it, through
//! [`crate::message::Request`], to declare or clear) and keeps the toolbar badge in step with
//! `storage.local`'s state key, whoever wrote it; its tooltip also names the trackers the
//! browser gives StandIn no access to (`access`, checked at start and on permission changes).

use super::ext::{self, Area, ExtError};
use crate::badge::{toolbar_badge, with_attention, Attention};
use crate::message::{authorize, ErrorCode, ErrorReply, Reply, Request, Response, Sender};
use crate::model::DeclaredState;
use crate::outbox::Intent;
use crate::store::{
    badge_depends_on, push_history, HISTORY_KEY, ORIGINS_KEY, STATE_KEY, TRACKER_ACCESS_KEY,
};
use crate::sync::SYNC_ALARM;
use crate::time::Timestamp;
use crate::tracker_access::TrackerAccess;
use crate::validate::validate_declaration;
use js_sys::Reflect;
use std::cell::Cell;
use wasm_bindgen::JsValue;

/// Fires when the declared state expires, so the badge's tooltip can say so.
const EXPIRY_ALARM: &str = "badge-expiry";

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// Runs at every worker start (so after install, browser start-up, and every wake-up): the
/// badge may be stale, and alarms need not survive a browser restart.
pub async fn start() -> Result<(), ExtError> {
    // Queued behind whatever woke the worker: a shim's plan request issues its storage read
    // first, and the rehearsal runs while that read is out.
    wasm_bindgen_futures::spawn_local(async { super::inline::rehearse() });
    // Content scripts (a tracker tab's renderer) need no storage: closed to them where the
    // browser can close it.
    if let Err(e) = ext::close_storage_to_content_scripts().await {
        web_sys::console::warn_1(&format!("StandIn: storage access level: {e}").into());
    }
    super::inline::start().await;
    check_access().await;
    super::sync::start().await;
    refresh_badge().await
}

/// One event from the loader (see `extension/background.js` for kinds and payloads).
pub async fn handle_event(kind: &str, payload: JsValue) -> Result<JsValue, ExtError> {
    let field = |name: &str| Reflect::get(&payload, &name.into()).unwrap_or_default();
    match kind {
        // Firefox may report unchanged keys: re-reading the stored state makes repeats harmless.
        "storage_changed" => {
            let area = field("area").as_string().unwrap_or_default();
            let changes = field("changes");
            let keys: Vec<String> = js_sys::Object::keys(&changes.clone().into())
                .iter()
                .filter_map(|k| k.as_string())
                .collect();
            if keys.iter().any(|k| badge_depends_on(&area, k)) {
                refresh_badge().await?;
            }
            // A self-hosted tracker added or removed: one more or one fewer to check.
            if area == "local" && keys.iter().any(|k| k == ORIGINS_KEY) {
                check_access().await;
            }
            super::inline::storage_changed(&area, &changes).await?;
        }
        "alarm" if field("name").as_string().as_deref() == Some(EXPIRY_ALARM) => {
            refresh_badge().await?;
            super::mirror::expiry_passed().await?;
        }
        "alarm" if field("name").as_string().as_deref() == Some(super::mirror::MIRROR_ALARM) => {
            super::mirror::spawn_send();
        }
        "alarm"
            if field("name").as_string().as_deref() == Some(super::reminder::REMINDER_ALARM) =>
        {
            refresh_badge().await?;
        }
        "notification_clicked" | "notification_button" => {
            let id = field("id").as_string().unwrap_or_default();
            let button = field("button").as_f64().map(|b| b as u32);
            super::reminder::notification_clicked(&id, button, now()).await?;
        }
        "alarm" if field("name").as_string().as_deref() == Some(SYNC_ALARM) => {
            super::sync::tick();
        }
        "startup" => {
            super::sync::browser_started();
            super::mirror::spawn_send();
        }
        // The user withdrew or gave back access to a site (or StandIn asked for one).
        "permissions_changed" => {
            super::inline::start().await;
            check_access().await;
            super::mirror::permissions_changed().await;
        }
        "message" => {
            let reply = answer(&field("message"), &field("sender")).await;
            return ext::to_js(&reply.unwrap_or_else(Reply::Err));
        }
        // "installed" and "startup" need nothing beyond `start`, which ran first.
        _ => {}
    }
    Ok(JsValue::UNDEFINED)
}

/// Logged, not returned: the badge and the sync loop must not wait on it.
async fn check_access() {
    if let Err(e) = super::access::check().await {
        web_sys::console::warn_1(&format!("StandIn: tracker access: {e}").into());
    }
}

thread_local! {
    /// (a refresh is running, something changed since it began reading)
    static REFRESH: Cell<(bool, bool)> = const { Cell::new((false, false)) };
}

/// One refresh at a time. Two at once could each read storage, and the older one's badge,
/// notification and alarm land after the newer one's; so a change during a refresh makes that
/// refresh run once more, reading the latest storage, and the caller returns at once.
async fn refresh_badge() -> Result<(), ExtError> {
    if REFRESH.with(|r| r.replace((true, true)).0) {
        return Ok(());
    }
    let mut result = Ok(());
    while REFRESH.with(|r| r.replace((true, false)).1) {
        result = refresh_badge_once().await;
    }
    REFRESH.with(|r| r.set((false, false)));
    result
}

async fn refresh_badge_once() -> Result<(), ExtError> {
    let stored = ext::read(Area::Local, &[STATE_KEY, TRACKER_ACCESS_KEY]).await;
    let state: Option<DeclaredState> = stored.get(STATE_KEY)?;
    let access: TrackerAccess = stored.or_default(TRACKER_ACCESS_KEY);
    let now = now();
    // The end-of-day reminder (notification, alarm) and the hand-offs waiting for the user
    // show over the status; a failing reminder must not keep the badge stale.
    let end_of_day = super::reminder::refresh(now).await;
    let attention = Attention {
        end_of_day: end_of_day.as_ref().is_ok_and(|due| *due),
        handoffs: super::digest::unacknowledged(now).await,
    };
    let mut badge = with_attention(toolbar_badge(state.as_ref(), now), attention);
    badge.title = access.tooltip(&badge.title);
    ext::set_badge(&badge).await?;
    match state.and_then(|s| s.declaration.expires_at) {
        Some(at) if at > now => ext::create_alarm(EXPIRY_ALARM, at.millis()).await?,
        _ => ext::clear_alarm(EXPIRY_ALARM).await?,
    }
    // Logged, not returned: at start-up an error here would fail the whole worker's start.
    if let Err(e) = end_of_day {
        web_sys::console::warn_1(&format!("StandIn: end-of-day reminder: {e}").into());
    }
    Ok(())
}

async fn answer(message: &JsValue, sender: &JsValue) -> Result<Reply, ErrorReply> {
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
            let history = match ext::read(Area::Local, &[HISTORY_KEY])
                .await
                .get(HISTORY_KEY)
            {
                Ok(history) => history.unwrap_or_default(),
                // A history this version cannot read is not worth refusing a declaration for.
                Err(ExtError::Decode { .. }) => Vec::new(),
                Err(e) => return Err(internal(e)),
            };
            let history = push_history(history, state.clone());
            let state_json = ext::encode(&state);
            let history_json = ext::encode(&history);
            ext::set(
                Area::Local,
                &[(STATE_KEY, &state_json), (HISTORY_KEY, &history_json)],
            )
            .await
            .map_err(internal)?;
            // Queued for the team server after the local write: the popup's reply does not
            // wait for the network.
            let intent = Intent::Declare {
                declaration: Box::new(state.declaration.clone()),
            };
            super::mirror::publish(&intent).await.map_err(internal)?;
            super::sync::publish(intent).await.map_err(internal)?;
            Ok(Reply::Ok(Response::Declared(Box::new(state))))
        }
        Request::Clear => {
            ext::remove(Area::Local, &[STATE_KEY])
                .await
                .map_err(internal)?;
            super::mirror::publish(&Intent::Clear)
                .await
                .map_err(internal)?;
            super::sync::publish(Intent::Clear)
                .await
                .map_err(internal)?;
            Ok(Reply::Ok(Response::Cleared))
        }
        Request::Connect { server, invite } => {
            super::sync::connect(&server, &invite).await.map(Reply::Ok)
        }
        Request::Disconnect => super::sync::disconnect().await.map(Reply::Ok),
        Request::ConnectAccount {
            service,
            api,
            token,
        } => super::mirror::connect(service, &api, &token)
            .await
            .map(Reply::Ok),
        Request::DisconnectAccount { service } => {
            super::mirror::disconnect(service).await.map(Reply::Ok)
        }
        Request::Resolve(choice) => super::sync::resolve(choice).await.map(Reply::Ok),
        Request::SnoozeReminder => super::reminder::snooze(now())
            .await
            .map(|r| Reply::Ok(Response::Reminder(r)))
            .map_err(internal),
        Request::SkipReminder => super::reminder::skip(now())
            .await
            .map(|r| Reply::Ok(Response::Reminder(r)))
            .map_err(internal),
        Request::Acknowledge(ack) => super::sync::acknowledge(&ack).await.map(Reply::Ok),
        Request::RefreshItems => {
            super::live::trigger();
            Ok(Reply::Ok(Response::Refreshing))
        }
        // The content scripts' requests (tracker pages): see `inline`.
        content @ (Request::Plan { .. }
        | Request::Render(_)
        | Request::Viewed { .. }
        | Request::Act { .. }) => super::inline::answer(content).await.map(Reply::Content),
    }
}
