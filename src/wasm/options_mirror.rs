//! The options page's "Status everywhere" section: connect a GitHub, GitLab or Slack account
//! with a personal access token, choose which statuses each one shows and the emoji names,
//! and preview what each will show for the current declaration.
//!
//! Control ids (stable; tests drive them), for each service `s` of `github`, `gitlab`,
//! `slack`: form `s-form` with `s_api`, `s_token` and the submit button `s-connect`, status
//! `s-status`; once connected `s-joined` with `s-connected` ("Connected as octo-alice"), the
//! button `s-disconnect`, checkboxes `s-mirror-<status>` and the line `s-preview`. For all:
//! `mirror-focus_busy`, `emoji-<status>` and the status line `mirror-settings-status`.
//!
//! Connecting asks, inside the click, for the host permission of that API origin only; the
//! worker then tests the token and keeps it. The token leaves this page in that one message.

use super::dom;
use super::ext::{self, Area, ExtError};
use super::zone::Zone;
use crate::connect::ServerUrl;
use crate::display::time_or_date_text;
use crate::message::{ErrorReply, Request, Response};
use crate::mirror::{preview, valid_emoji_name, Account, MirrorSettings, Off, Service};
use crate::model::{DeclaredState, Status};
use crate::outbox::Intent;
use crate::store::{MIRRORS_KEY, MIRROR_SETTINGS_KEY, STATE_KEY};
use crate::validate::{FieldError, ValidationErrors};
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::Element;

pub async fn mount() -> Result<(), ExtError> {
    for service in Service::ALL {
        let s = service.as_str();
        build_section(s);
        if let Some(form) = dom::by_id(&format!("{s}-form")) {
            dom::on_submit(&form, move || connect(service));
        }
        // Page-lifetime listeners: leaked on purpose.
        if let Some(button) = dom::by_id(&format!("{s}-disconnect")) {
            EventListener::new(&button, "click", move |_| dom::spawn(disconnect(service))).forget();
        }
        if let Some(joined) = dom::by_id(&format!("{s}-joined")) {
            EventListener::new(&joined, "change", |_| dom::spawn(save())).forget();
        }
    }
    if let Some(common) = dom::by_id("mirror-common") {
        EventListener::new(&common, "change", |_| dom::spawn(save())).forget();
    }
    // The choices' controls are filled once: this page is what writes them, and filling them
    // again on every write would undo what the user typed meanwhile.
    let settings: MirrorSettings = ext::read(Area::Local, &[MIRROR_SETTINGS_KEY])
        .await
        .or_default(MIRROR_SETTINGS_KEY);
    fill_choices(&settings);
    let zone = Zone::browser();
    dom::watch_local(
        &[MIRRORS_KEY, MIRROR_SETTINGS_KEY, STATE_KEY],
        move |stored| show(stored, &zone),
    )
    .await
}

/// Puts the template `account` into the service's section: its ids named for the service,
/// its slots filled from the section's `data-*` texts, the API address from `data-api`.
fn build_section(s: &str) {
    let (Some(section), Some(part)) = (dom::by_id(&format!("{s}-account")), dom::row("account"))
    else {
        return;
    };
    dom::number_ids(&part, s);
    if let Ok(slots) = part.query_selector_all("[data-slot]") {
        for slot in (0..slots.length()).filter_map(|i| slots.item(i)) {
            if let Ok(slot) = slot.dyn_into::<Element>() {
                let name = slot.get_attribute("data-slot").unwrap_or_default();
                slot.set_text_content(section.get_attribute(&format!("data-{name}")).as_deref());
            }
        }
    }
    let _ = section.append_child(&part);
    dom::set_value(
        &format!("{s}_api"),
        &section.get_attribute("data-api").unwrap_or_default(),
    );
}

fn mirror_id(service: Service, status: Status) -> String {
    format!("{}-mirror-{}", service.as_str(), status.as_str())
}

fn emoji_id(status: Status) -> String {
    format!("emoji-{}", status.as_str())
}

fn show(stored: &ext::Stored, zone: &Zone) {
    let accounts: Vec<Account> = stored.or_default(MIRRORS_KEY);
    let settings: MirrorSettings = stored.or_default(MIRROR_SETTINGS_KEY);
    let state: Option<DeclaredState> = stored.get(STATE_KEY).ok().flatten();
    let intent = state.map_or(Intent::Clear, |s| Intent::Declare {
        declaration: Box::new(s.declaration),
    });
    let now = dom::now();
    for service in Service::ALL {
        let s = service.as_str();
        let account = accounts.iter().find(|a| a.service == service);
        dom::set_hidden(&format!("{s}-form"), account.is_some());
        dom::set_hidden(&format!("{s}-joined"), account.is_none());
        let Some(account) = account else { continue };
        dom::set_text(
            &format!("{s}-connected"),
            &format!("Connected as {}", account.login),
        );
        let line = preview(service, &intent, &settings, now, |t| {
            time_or_date_text(t, now, zone)
        });
        dom::set_text(&format!("{s}-preview"), &line);
    }
}

/// Every service's boxes, connected or not (a save keeps each one's choices), and the table.
fn fill_choices(settings: &MirrorSettings) {
    for service in Service::ALL {
        for status in Status::ALL {
            dom::set_checked(
                &mirror_id(service, status),
                settings.mirrors(service, status),
            );
        }
    }
    dom::set_checked("mirror-focus_busy", settings.focus_busy);
    for status in Status::ALL {
        dom::set_value(&emoji_id(status), settings.emoji.get(status));
    }
}

/// Writes the section's choices; an emoji name no service could know is refused beside it.
async fn save() {
    let mut settings = MirrorSettings {
        focus_busy: dom::checked("mirror-focus_busy"),
        ..MirrorSettings::default()
    };
    let mut problems = false;
    for status in Status::ALL {
        let name = dom::value(&emoji_id(status))
            .trim()
            .trim_matches(':')
            .to_string();
        let valid = valid_emoji_name(&name);
        let problem = "An emoji name, like palm_tree: lower-case letters, digits, _ + -.";
        dom::set_field_error(&emoji_id(status), (!valid).then_some(problem));
        problems |= !valid;
        if valid {
            settings.emoji.set(status, name);
        }
    }
    for service in Service::ALL {
        for status in Status::ALL {
            if !dom::checked(&mirror_id(service, status)) {
                settings.off.push(Off { service, status });
            }
        }
    }
    let text = match ext::set(
        Area::Local,
        &[(MIRROR_SETTINGS_KEY, &ext::encode(&settings))],
    )
    .await
    {
        Ok(()) if problems => "Saved, except the marked emoji names.".to_string(),
        Ok(()) => "Saved.".to_string(),
        Err(e) => format!("Not saved: {e}"),
    };
    dom::set_status("mirror-settings-status", &text, problems);
}

/// The submit handler. Everything up to the permission request runs synchronously, inside
/// the user's gesture.
fn connect(service: Service) {
    let s = service.as_str();
    let status = format!("{s}-status");
    dom::clear_errors();
    dom::set_status(&status, "", false);
    let api_field = format!("{s}_api");
    let api = match ServerUrl::parse(&dom::value(&api_field)) {
        Ok(api) => api,
        Err(message) => {
            return show_invalid(
                &status,
                vec![FieldError {
                    field: api_field,
                    message: message.into(),
                }],
            )
        }
    };
    let token = dom::value(&format!("{s}_token"));
    let granted = ext::request_origins(&[api.permission_pattern()]);
    if granted.is_ok() {
        dom::set_status(&status, super::access::WAITING, false);
    }
    dom::spawn(async move {
        let granted = match granted {
            Ok(answer) => answer.await,
            Err(e) => Err(e),
        };
        if !matches!(granted, Ok(true)) {
            return show_invalid(
                &status,
                vec![FieldError {
                    field: api_field,
                    message: format!(
                    "StandIn needs your permission to reach {}: click Connect again and allow it.",
                    api.host()
                ),
                }],
            );
        }
        dom::set_status(&status, "Connecting…", false);
        let request = Request::ConnectAccount {
            service,
            api: api.as_str().to_string(),
            token,
        };
        match ext::send_message::<_, Response, ErrorReply>(&request).await {
            Ok(Ok(Response::AccountConnected { login })) => {
                dom::set_status(&status, &format!("Connected as {login}"), false);
                dom::set_value(&format!("{s}_token"), "");
            }
            Ok(Err(reply)) if !reply.errors.is_empty() => show_invalid(&status, reply.errors),
            reply => dom::show_failure(&status, "Not connected: ", reply),
        }
    });
}

fn show_invalid(status: &str, errors: Vec<FieldError>) {
    dom::show_errors(
        &ValidationErrors(errors),
        status,
        "Not connected",
        "see the marked fields.",
    );
}

async fn disconnect(service: Service) {
    let s = service.as_str();
    let request = Request::DisconnectAccount { service };
    match ext::send_message::<_, Response, ErrorReply>(&request).await {
        Ok(Ok(Response::Disconnected)) => {
            dom::set_status(
                &format!("{s}-status"),
                "Disconnected; the token is deleted.",
                false,
            );
        }
        reply => dom::show_failure(&format!("{s}-status"), "", reply),
    }
}
