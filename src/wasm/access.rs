//! Tracker access as the browser reports it ([`crate::tracker_access`]).
//!
//! Worker: [`check`] asks `permissions.contains` for every tracker (public and self-hosted) and
//! stores what is missing; it runs at every start, on `permissions.onAdded`/`onRemoved` and
//! when the self-hosted list changes. The toolbar tooltip names what is missing (`background`).
//!
//! Pages: the popup's notice at the top of the You tab ([`mount_notice`]: `access-notice`, its
//! text `access-notice-text` and button `access-allow`) and the options page's list
//! ([`mount_options`]: `tracker-access`, the list `tracker-access-list` with a button
//! `tracker-allow-<n>` per site, status `tracker-access-status`). Each button asks for access
//! again inside the click, as the browser requires, and shows [`WAITING`] while the browser's
//! prompt is open; the worker sees the grant and the notice goes.

use super::dom;
use super::ext::{self, Area, ExtError};
use crate::sites::Origin;
use crate::store::{ORIGINS_KEY, TRACKER_ACCESS_KEY};
use crate::tracker_access::{trackers, TrackerAccess};
use gloo::events::EventListener;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::Element;

/// Shown beside a button while the browser's permission prompt is open: in Firefox it hangs
/// off the toolbar's extensions button, easy to miss.
pub const WAITING: &str = "Waiting for your permission…";

thread_local! {
    /// Bumped by every check: only the latest one writes, so a check that raced a permission
    /// change cannot store what it saw before it.
    static CHECKS: Cell<u64> = const { Cell::new(0) };
}

/// Stores which trackers the browser gives no access to (written only when that changed).
pub async fn check() -> Result<(), ExtError> {
    let this = CHECKS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let stored = ext::read(Area::Local, &[ORIGINS_KEY, TRACKER_ACCESS_KEY]).await;
    let origins: Vec<Origin> = stored.or_default(ORIGINS_KEY);
    let before: TrackerAccess = stored.or_default(TRACKER_ACCESS_KEY);
    let mut checked = Vec::new();
    for tracker in trackers(&origins) {
        let held = ext::contains_origins(std::slice::from_ref(&tracker.pattern)).await?;
        checked.push((tracker, held));
    }
    let access = TrackerAccess::from_checks(checked);
    if access == before || CHECKS.with(Cell::get) != this {
        return Ok(());
    }
    let json = ext::encode(&access);
    ext::set(Area::Local, &[(TRACKER_ACCESS_KEY, &json)]).await
}

fn access_of(stored: &ext::Stored) -> TrackerAccess {
    stored.or_default(TRACKER_ACCESS_KEY)
}

/// Asks for `patterns` now, inside the click, and reports in the status line `status_id`:
/// [`WAITING`] while the prompt is open, then the answer.
fn ask(patterns: &[String], status_id: &'static str) {
    let pending = match ext::request_origins(patterns) {
        Ok(pending) => pending,
        Err(e) => return dom::set_status(status_id, &format!("Not allowed: {e}"), true),
    };
    dom::set_status(status_id, WAITING, false);
    dom::spawn(async move {
        match pending.await {
            Ok(true) => dom::set_status(
                status_id,
                "Allowed. Pages there show your teammates from their next load.",
                false,
            ),
            Ok(false) => dom::set_status(
                status_id,
                "Not allowed: the browser did not give StandIn access.",
                true,
            ),
            Err(e) => dom::set_status(status_id, &format!("Not allowed: {e}"), true),
        }
    });
}

/// The popup's one-line notice, first in the You tab while any tracker is out of reach.
pub async fn mount_notice() -> Result<(), ExtError> {
    let you = dom::by_id("tab-you")
        .and_then(|tab| tab.get_attribute("aria-controls"))
        .and_then(|id| dom::by_id(&id))
        .ok_or(ExtError::Missing("the You tab's panel"))?;
    let notice =
        dom::row("access-notice").ok_or(ExtError::Missing("<template id=\"access-notice\">"))?;
    you.prepend_with_node_1(&notice)
        .map_err(|e| ext::api_error("prepend", &e))?;
    let patterns = Rc::new(RefCell::new(Vec::new()));
    if let Some(button) = dom::by_id("access-allow") {
        let patterns = Rc::clone(&patterns);
        // Page-lifetime listener: leaked on purpose.
        EventListener::new(&button, "click", move |_| {
            ask(&patterns.borrow(), "access-notice-text")
        })
        .forget();
    }
    let show = move |access: TrackerAccess| {
        *patterns.borrow_mut() = access.patterns();
        dom::set_status(
            "access-notice-text",
            &access.notice().unwrap_or_default(),
            true,
        );
        dom::set_hidden("access-notice", access.missing.is_empty());
    };
    dom::watch_local(&[TRACKER_ACCESS_KEY], move |stored| show(access_of(stored))).await
}

/// The options page's list of trackers without access, in the trackers section.
pub async fn mount_options() -> Result<(), ExtError> {
    let access = Rc::new(RefCell::new(TrackerAccess::default()));
    if let Some(list) = dom::by_id("tracker-access-list") {
        let access = Rc::clone(&access);
        dom::on_button_click(&list, move |button: Element| {
            let index = button
                .get_attribute("data-index")
                .and_then(|i| i.parse::<usize>().ok());
            let pattern =
                index.and_then(|i| access.borrow().missing.get(i).map(|t| t.pattern.clone()));
            if let Some(pattern) = pattern {
                ask(&[pattern], "tracker-access-status");
            }
        });
    }
    dom::watch_local(&[TRACKER_ACCESS_KEY], move |stored| {
        let now = access_of(stored);
        show_options(&now);
        *access.borrow_mut() = now;
    })
    .await
}

fn show_options(access: &TrackerAccess) {
    dom::set_text("trackers-built-in", &access.built_in_note());
    dom::set_hidden("tracker-access", access.missing.is_empty());
    let Some(list) = dom::by_id("tracker-access-list") else {
        return;
    };
    let rows = access
        .missing
        .iter()
        .enumerate()
        .filter_map(|(n, tracker)| {
            let row = dom::row("tracker-access-row")?;
            dom::fill(&row, "name", &tracker.name);
            if let Some(button) = dom::slot(&row, "allow") {
                let _ = button.set_attribute("id", &format!("tracker-allow-{n}"));
                let _ = button.set_attribute("data-index", &n.to_string());
                let _ = button
                    .set_attribute("aria-label", &format!("Allow access to {}", tracker.name));
            }
            Some(row)
        })
        .collect();
    dom::set_children(&list, rows);
}
