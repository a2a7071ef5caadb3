//! The popup's end-of-day parts: the reminder banner with "Snooze 30 min" and "Skip today"
//! (the only place Firefox offers them: its notifications have no buttons), and the proposed
//! items for the declaration (`crate::prefill`), each added to the form only by its "Add".
//!
//! Control ids (stable; tests drive them):
//! - `reminder` (section, shown while the reminder is due), buttons `reminder-snooze`,
//!   `reminder-skip`, status line `reminder-status`
//! - `hours` (section, shown on a fresh install until the user saved settings or declared:
//!   nothing reminds before), inputs `working_hours-start`, `working_hours-end` (pre-filled,
//!   in the browser's zone shown in `hours-zone`), button `hours-save`, status `hours-status`
//! - `suggestions` (inside the work items, shown near the end of the working day when there is
//!   anything to propose): one `li` per item with the button `suggest-<i>` ("Add")

use super::dom::{self, now};
use super::ext::{self, Area, ExtError};
use super::reminder::World;
use super::zone::browser_zone_name;
use crate::display::{shown, time_or_date_text};
use crate::draft::{Draft, ItemDraft};
use crate::features::activity::ActivityEntry;
use crate::message::{ErrorReply, Request, Response};
use crate::model::ItemState;
use crate::prefill::{suggestions, today_from, Source, Suggestion};
use crate::reminder::near_end_of_day;
use crate::settings_form::SettingsForm;
use crate::store::{ACTIVITY_KEY, SETTINGS_KEY};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// What the form lends this module: its current draft, and adding an item to it as the
/// user's own edit would.
pub struct FormHooks {
    pub read: Box<dyn Fn() -> Draft>,
    pub add: Box<dyn Fn(&ItemDraft)>,
}

struct Parts {
    world: World,
    activity: Vec<ActivityEntry>,
    hooks: FormHooks,
    /// The proposals on show, by the index in their button ids.
    shown: RefCell<Vec<Suggestion>>,
}

/// Adds the reminder banner (when due) above everything and the proposals (near the end of the
/// day) into the form's work items. Returns whether the reminder shows.
pub async fn mount(app: &Element, hooks: FormHooks) -> Result<bool, ExtError> {
    let world = World::load().await;
    let activity: Vec<ActivityEntry> = ext::read(Area::Local, &[ACTIVITY_KEY])
        .await
        .get(ACTIVITY_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let parts = Rc::new(Parts {
        world,
        activity,
        hooks,
        shown: RefCell::new(Vec::new()),
    });
    let now = now();
    let due = parts.world.decide(now).due.is_some();
    if let (true, Some(banner)) = (due, dom::row("reminder-banner")) {
        let _ = app.prepend_with_node_1(&banner);
    }
    if let (true, Some(invite)) = (parts.world.held(), dom::row("hours-invite")) {
        let _ = app.prepend_with_node_1(&invite);
        let hours = &parts.world.settings.working_hours;
        dom::set_value("working_hours-start", &hours.start.to_string());
        dom::set_value("working_hours-end", &hours.end.to_string());
        dom::set_text("hours-zone", &browser_zone_name());
    }
    let settings = &parts.world.settings;
    let near = near_end_of_day(
        &settings.working_hours,
        settings.reminder.lead_minutes,
        &parts.world.zone,
        now,
    );
    if let (true, Some(items), Some(section)) =
        (near, dom::by_id("items"), dom::row("suggestions-list"))
    {
        let _ = items.after_with_node_1(&section);
        parts.show_suggestions();
    }
    let clicks = Rc::clone(&parts);
    dom::on_button_click(app, move |button| clicks.on_button(&button.id()));
    Ok(due)
}

impl Parts {
    fn on_button(self: &Rc<Self>, id: &str) {
        let request = match id {
            "reminder-snooze" => Request::SnoozeReminder,
            "reminder-skip" => Request::SkipReminder,
            "hours-save" => return dom::spawn(Rc::clone(self).save_hours()),
            _ => {
                if let Some(i) = id.strip_prefix("suggest-").and_then(|i| i.parse().ok()) {
                    self.add(i);
                }
                return;
            }
        };
        dom::spawn(Rc::clone(self).answer_reminder(request));
    }

    async fn answer_reminder(self: Rc<Self>, request: Request) {
        let skip = request == Request::SkipReminder;
        match ext::send_message::<_, Response, ErrorReply>(&request).await {
            Ok(Ok(Response::Reminder(state))) => {
                let text = match state.snoozed_until {
                    Some(until) if !skip => format!(
                        "Snoozed until {}.",
                        time_or_date_text(until, now(), &self.world.zone)
                    ),
                    _ => "No more reminders today.".to_string(),
                };
                dom::set_hidden("reminder-snooze", true);
                dom::set_hidden("reminder-skip", true);
                dom::set_status("reminder-status", &text, false);
            }
            reply => dom::show_failure("reminder-status", "", reply),
        }
    }

    /// The invitation's "Save hours": the settings from then on, which start the reminders.
    async fn save_hours(self: Rc<Self>) {
        for field in ["working_hours.start", "working_hours.end"] {
            dom::set_field_error(field, None);
        }
        let settings = match SettingsForm::first_hours(
            &self.world.settings,
            &browser_zone_name(),
            &dom::value("working_hours-start"),
            &dom::value("working_hours-end"),
        ) {
            Ok(settings) => settings,
            Err(invalid) => {
                let hint = "please fix the marked fields.";
                return dom::show_errors(&invalid, "hours-status", "Not saved", hint);
            }
        };
        match ext::set(Area::Sync, &[(SETTINGS_KEY, &ext::encode(&settings))]).await {
            Ok(()) => {
                let hours = &settings.working_hours;
                let text = format!(
                    "Saved: working hours {}\u{2013}{}. The reminder comes {} minutes before the end of each working day.",
                    hours.start, hours.end, settings.reminder.lead_minutes
                );
                dom::set_status("hours-status", &text, false);
                // The button goes with its work done; the keyboard carries on in the form.
                dom::set_hidden("hours-save", true);
                dom::focus("status");
            }
            Err(e) => dom::set_status("hours-status", &format!("Not saved: {e}"), true),
        }
    }

    fn add(&self, index: usize) {
        let item = self.shown.borrow().get(index).map(|s| s.item.clone());
        if let Some(item) = item {
            (self.hooks.add)(&item);
            self.show_suggestions();
            // Accepting proposals one after another: the next one is under the focus.
            let left = self.shown.borrow().len();
            if left > 0 {
                dom::focus(&format!("suggest-{}", index.min(left - 1)));
            }
        }
    }

    /// (Re)draws the proposals for the form as it is now.
    fn show_suggestions(&self) {
        let Some(section) = dom::by_id("suggestions") else {
            return;
        };
        let w = &self.world;
        let last = w.last.as_ref().map(|s| &s.declaration);
        let from = today_from(&w.settings.working_hours, &w.zone, now());
        let list = suggestions(&self.activity, from, last, &(self.hooks.read)());
        if let Some(rows) = dom::slot(&section, "rows") {
            let items = list
                .iter()
                .enumerate()
                .filter_map(|(i, s)| suggestion_item(i, s));
            dom::set_children(&rows, items.collect());
        }
        dom::set_hidden("suggestions", list.is_empty());
        self.shown.replace(list);
    }
}

fn suggestion_item(i: usize, s: &Suggestion) -> Option<Element> {
    let li = dom::row("suggestion-row")?;
    let title = match s.item.title.trim() {
        "" => s.item.url.as_str(),
        title => title,
    };
    let origin = match (s.source, s.item.state) {
        (Source::Today, _) => "viewed today".to_string(),
        (Source::Unfinished, ItemState::InProgress) => "from your last declaration".to_string(),
        (Source::Unfinished, state) => format!("from your last declaration: {}", state.label()),
    };
    dom::fill_user(&li, "title", title);
    dom::fill(&li, "origin", &format!(" \u{b7} {origin}"));
    if let Some(add) = dom::slot(&li, "add") {
        let _ = add.set_attribute("id", &format!("suggest-{i}"));
        let _ = add.set_attribute("aria-label", &format!("Add {}", shown(title)));
    }
    Some(li)
}
