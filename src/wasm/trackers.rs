//! The options page's "Self-hosted trackers" section: the user adds the address of a GitHub
//! Enterprise, self-managed GitLab or Jira Server/Data Center and its kind; StandIn asks the
//! browser for access to that host only (in the click's user gesture, which the browser
//! requires), then stores the origin. The worker follows the stored list with the content
//! script's registration (`inline::storage_changed`).
//!
//! Control ids (tests drive them): the form `trackers-form`, `tracker_url`, `tracker_site`,
//! the button `tracker-add`, the status line `trackers-status` ("Waiting for your permission…"
//! while the browser asks), the list `trackers-list` with a button `tracker-remove-<n>` per
//! entry. The sites StandIn has no access to are listed above it (`access::mount_options`).

use super::dom;
use super::ext::{self, Area, ExtError};
use crate::connect::Connection;
use crate::self_hosted::{match_pattern, parse_origin};
use crate::sites::{Origin, Site};
use crate::store::{CONNECTION_KEY, ORIGINS_KEY};
use gloo::events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, Event};

const KINDS: [(Site, &str, &str); 3] = [
    (Site::GitHub, "github", "GitHub Enterprise"),
    (Site::GitLab, "gitlab", "GitLab (self-managed)"),
    (Site::Jira, "jira", "Jira Server / Data Center"),
];

fn kind_label(site: Site) -> &'static str {
    KINDS
        .iter()
        .find(|(s, _, _)| *s == site)
        .map_or("Tracker", |(_, _, label)| label)
}

type Origins = Rc<RefCell<Vec<Origin>>>;

/// Fills the section and loads the stored list.
pub async fn mount() -> Result<(), ExtError> {
    let origins: Vec<Origin> = match ext::read(Area::Local, &[ORIGINS_KEY])
        .await
        .get(ORIGINS_KEY)
    {
        Ok(found) => found.unwrap_or_default(),
        Err(e @ ExtError::Decode { .. }) => {
            web_sys::console::warn_1(&format!("StandIn: ignoring stored origins: {e}").into());
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let origins: Origins = Rc::new(RefCell::new(origins));
    let kinds = KINDS.map(|(_, value, label)| (value, label));
    dom::fill_options("tracker_site", &kinds);
    show_list(&origins);
    if let Some(form) = dom::by_id("trackers-form") {
        let origins = origins.clone();
        // Page-lifetime listener: leaked on purpose.
        dom::on_submit(&form, move || add(&origins));
    }
    if let Some(list) = dom::by_id("trackers-list") {
        EventListener::new(&list, "click", move |event: &Event| {
            let index = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("button[data-index]").ok().flatten())
                .and_then(|b| b.get_attribute("data-index"))
                .and_then(|i| i.parse::<usize>().ok());
            if let Some(index) = index {
                spawn_local(remove(origins.clone(), index));
            }
        })
        .forget();
    }
    // The trackers the browser gives no access to, public ones included.
    super::access::mount_options().await
}

fn show_list(origins: &Origins) {
    let Some(list) = dom::by_id("trackers-list") else {
        return;
    };
    let rows = origins
        .borrow()
        .iter()
        .enumerate()
        .filter_map(|(n, origin)| tracker_row(n, origin))
        .collect();
    dom::set_children(&list, rows);
}

/// Entry `n` of the list: "<kind>: <address> " and its Remove button.
fn tracker_row(n: usize, origin: &Origin) -> Option<Element> {
    let item = dom::row("tracker-row")?;
    let _ = item.prepend_with_str_1(&format!("{}: {} ", kind_label(origin.site), origin.base));
    if let Some(remove) = dom::slot(&item, "remove") {
        let _ = remove.set_attribute("id", &format!("tracker-remove-{n}"));
        let _ = remove.set_attribute("data-index", &n.to_string());
    }
    Some(item)
}

/// The submit handler. Runs synchronously up to the permission request: the browser grants
/// host permissions only from inside a user gesture.
fn add(origins: &Origins) {
    dom::clear_errors();
    dom::set_status("trackers-status", "", false);
    let site = KINDS
        .iter()
        .find(|(_, value, _)| *value == dom::value("tracker_site"))
        .map_or(Site::GitHub, |(site, _, _)| *site);
    let parsed = parse_origin(site, &dom::value("tracker_url"), &origins.borrow());
    let origin = match parsed {
        Ok(origin) => origin,
        Err(e) => return show_field_error("tracker_url", &e.to_string()),
    };
    let Some(pattern) = match_pattern(&origin) else {
        return show_field_error("tracker_url", "Not an address StandIn can use.");
    };
    let granted = match ext::request_origins(&[pattern]) {
        Ok(granted) => granted,
        Err(e) => return dom::set_status("trackers-status", &format!("Not added: {e}"), true),
    };
    dom::set_status("trackers-status", super::access::WAITING, false);
    let origins = origins.clone();
    spawn_local(async move {
        match granted.await {
            Ok(true) => {}
            Ok(false) => {
                return dom::set_status(
                    "trackers-status",
                    "Not added: the browser did not allow access to that site.",
                    true,
                )
            }
            Err(e) => return dom::set_status("trackers-status", &format!("Not added: {e}"), true),
        }
        origins.borrow_mut().push(origin);
        match store(&origins).await {
            Ok(()) => {
                dom::set_value("tracker_url", "");
                show_list(&origins);
                dom::set_status(
                    "trackers-status",
                    "Added. Pages there show your teammates from their next load.",
                    false,
                );
            }
            Err(e) => {
                origins.borrow_mut().pop();
                dom::set_status("trackers-status", &format!("Not added: {e}"), true);
            }
        }
    });
}

async fn remove(origins: Origins, index: usize) {
    if index >= origins.borrow().len() {
        return;
    }
    let removed = origins.borrow_mut().remove(index);
    if let Err(e) = store(&origins).await {
        origins.borrow_mut().insert(index, removed);
        return dom::set_status("trackers-status", &format!("Not removed: {e}"), true);
    }
    show_list(&origins);
    // Give the host permission back unless another entry, or the team server, uses the host.
    let pattern = match_pattern(&removed);
    let connection: Option<Connection> = ext::read(Area::Local, &[CONNECTION_KEY])
        .await
        .get(CONNECTION_KEY)
        .ok()
        .flatten();
    let server = connection.and_then(|c| match_pattern(&Origin::new(removed.site, &c.server)));
    let shared = server == pattern || origins.borrow().iter().any(|o| match_pattern(o) == pattern);
    if let (Some(pattern), false) = (pattern, shared) {
        if let Err(e) = ext::remove_origins(&[pattern]).await {
            web_sys::console::warn_1(&format!("StandIn: {e}").into());
        }
    }
    dom::set_status("trackers-status", "Removed.", false);
}

async fn store(origins: &Origins) -> Result<(), ExtError> {
    let json = ext::encode(&*origins.borrow());
    ext::set(Area::Local, &[(ORIGINS_KEY, &json)]).await
}

fn show_field_error(path: &str, message: &str) {
    dom::set_field_error(path, Some(message));
    dom::focus(&crate::display::field_slug(path));
}
