//! The options page's Team section: join a team with the server's address and an invite code,
//! see which team this browser is in, leave it. `options.html?server=…&invite=…` pre-fills
//! the form, so an admin can hand out one link.
//!
//! Control ids (stable; tests drive them), errors in `error-<id>`: form `team-form` with
//! `server_url`, `invite` and the submit button `connect`, status `connect-status` ("Waiting for
//! your permission…" while the browser asks), and
//! `team-notice` (why the worker disconnected by itself); once connected `team-joined` with
//! `team-connected` ("Connected to Core as Ann"), `team-server`, `team-problem` and the button
//! `disconnect`.
//!
//! Connecting asks for the host permission of that server only. Browsers show that prompt only
//! while a click is being handled, so it is requested synchronously in the submit handler;
//! then the background worker joins (the token never comes back to this page).

use super::dom;
use super::ext::{self, ExtError};
use crate::connect::{check_connect_form, prefill_from_query, Connection, SERVER_URL_FIELD};
use crate::message::{ErrorReply, Request, Response};
use crate::store::{CONNECTION_KEY, SYNC_KEY};
use crate::sync::SyncStatus;
use crate::validate::{FieldError, ValidationErrors};
use gloo::events::EventListener;

/// Fills the options page's Team section and keeps it current.
pub async fn mount() -> Result<(), ExtError> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let prefill = prefill_from_query(&search);
    dom::set_value(SERVER_URL_FIELD, prefill.server.as_deref().unwrap_or(""));
    dom::set_value("invite", prefill.invite.as_deref().unwrap_or(""));
    // Page-lifetime listeners: leaked on purpose.
    if let Some(form) = dom::by_id("team-form") {
        dom::on_submit(&form, connect);
    }
    if let Some(button) = dom::by_id("disconnect") {
        EventListener::new(&button, "click", |_| dom::spawn(disconnect())).forget();
    }
    // Connecting and disconnecting write these keys too: the form follows from here.
    dom::watch_local(&[CONNECTION_KEY, SYNC_KEY], show).await
}

/// Shows the form or the team this browser is in, from storage.
fn show(stored: &ext::Stored) {
    let connection: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
    let status: SyncStatus = stored.or_default(SYNC_KEY);
    dom::set_hidden("team-form", connection.is_some());
    dom::set_hidden("team-joined", connection.is_none());
    let notice = status
        .disconnected
        .filter(|_| connection.is_none())
        .map(|why| format!("Disconnected: {why}"));
    dom::set_text("team-notice", notice.as_deref().unwrap_or(""));
    dom::set_hidden("team-notice", notice.is_none());
    if let Some(c) = &connection {
        dom::set_text("team-connected", &c.summary());
        dom::set_text("team-server", &format!("Server: {}", c.server));
    }
    let problem = status
        .team_problem
        .map(|p| format!("The team view may be out of date: {p}."));
    dom::set_text("team-problem", problem.as_deref().unwrap_or(""));
    dom::set_hidden("team-problem", problem.is_none());
}

/// The submit handler. Everything up to the permission request runs synchronously, inside
/// the user's gesture.
fn connect() {
    dom::clear_errors();
    dom::set_status("connect-status", "", false);
    let invite = dom::value("invite");
    let server = match check_connect_form(&dom::value(SERVER_URL_FIELD), &invite) {
        Ok(server) => server,
        Err(invalid) => return show_invalid(&invalid),
    };
    let granted = ext::request_origins(&[server.permission_pattern()]);
    if granted.is_ok() {
        dom::set_status("connect-status", super::access::WAITING, false);
    }
    dom::spawn(async move {
        let granted = match granted {
            Ok(answer) => answer.await,
            Err(e) => Err(e),
        };
        if !matches!(granted, Ok(true)) {
            let why = match granted {
                Err(e) => format!(" ({e})"),
                Ok(_) => String::new(),
            };
            return show_invalid(&ValidationErrors(vec![FieldError {
                field: SERVER_URL_FIELD.into(),
                message: format!(
                    "StandIn needs your permission to reach {}{why}: click Connect again and \
                     allow it.",
                    server.host()
                ),
            }]));
        }
        dom::set_status("connect-status", "Connecting…", false);
        let request = Request::Connect {
            server: server.as_str().to_string(),
            invite,
        };
        match ext::send_message::<_, Response, ErrorReply>(&request).await {
            Ok(Ok(Response::Connected(connection))) => {
                dom::set_status("connect-status", &connection.summary(), false);
                dom::set_value("invite", "");
            }
            Ok(Err(reply)) if !reply.errors.is_empty() => {
                show_invalid(&ValidationErrors(reply.errors));
            }
            reply => dom::show_failure("connect-status", "Not connected: ", reply),
        }
    });
}

fn show_invalid(invalid: &ValidationErrors) {
    let hint = "see the marked fields.";
    dom::show_errors(invalid, "connect-status", "Not connected", hint);
}

async fn disconnect() {
    match ext::send_message::<_, Response, ErrorReply>(&Request::Disconnect).await {
        Ok(Ok(Response::Disconnected)) => {
            dom::set_status("connect-status", "Disconnected.", false);
        }
        reply => dom::show_failure("connect-status", "", reply),
    }
}
