//! The toolbar popup: declare, edit or clear your state.
//!
//! Control ids (stable; tests drive them). Every field's id is `field_slug` of its validation
//! path, and its error message is `error-<id>` (see `crate::display`):
//! - `status` (select), `emoji`, `headline` (+ counter `headline-count`), `note` (textarea)
//! - work items: list `items`; buttons `add-tab` ("Add this tab"), `add-item` ("Add a link"),
//!   status line `add-tab-status`; item *i* is a row of `items-<i>-title`, `items-<i>-state`
//!   (select), `items-<i>-handoff_to` (combobox) and `items-<i>-more`, which shows
//!   `items-<i>-details`: `items-<i>-url`, `items-<i>-note` and buttons `items-<i>-up`,
//!   `items-<i>-down`, `items-<i>-remove` (shown also when one of them has a problem);
//!   list-wide errors in `error-items`
//! - `cover` (combobox), `blockers` (textarea); person fields are `combobox.rs`'s
//! - `back_at` (datetime-local), quick choices `back_at-next`, `back_at-monday`,
//!   `back_at-none` (in the sticky footer); the chosen time in words: `back_at-local`
//! - `expires_at` (select: never, end_of_today, one_day, custom), `expires_at-custom`
//!   (datetime-local, shown for custom) and `expires_at-local`
//! - `zone`: the time zone the form's times are in
//! - `declare` (submit; Ctrl/Cmd+Enter anywhere in the form), `clear` (shown while a state
//!   is declared), `declare-status` ("Declared 17:42", "… · saved on this device only"
//!   without a team, or what went wrong), all in the sticky footer; `draft-status`
//! - `connect-team` ("Connect your team", shown while not connected)
//!
//! While the end-of-day reminder shows, a form without a draft defaults to Offline and back
//! the next working day, and the focus starts on the headline; declaring removes the reminder.
//!
//! The form is the draft: every edit is written (debounced) to `storage.sync`, so closing the
//! popup mid-edit loses nothing. Declaring goes through the background worker, which owns the
//! stored state and the toolbar badge.

use super::combobox::{self, Roster};
use super::dom::{self, now};
use super::ext::{self, Area, ExtError};
use super::zone::Zone;
use crate::connect::Connection;
use crate::display::{
    counter_text, declared_text, describe_at, item_control_id, parse_item_control_id, shown,
};
use crate::draft::{
    back_at_choice, end_of_day, local_value_instant, BackAtChoice, Context, Direction, Draft,
    Expiry, ItemDraft,
};
use crate::item_ref::parse_http_url;
use crate::limits;
use crate::message::{ErrorReply, Request, Response};
use crate::model::{DeclaredState, ItemState, Settings, Status, WorkingHours};
use crate::store::{
    fits_sync_item, newest_draft, StoredDraft, CONNECTION_KEY, DRAFT_KEY, SETTINGS_KEY, STATE_KEY,
    TEAM_KEY,
};
use crate::team::TeamCache;
use crate::time::Timestamp;
use crate::validate::ValidationErrors;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// Quiet time before an edit is written to `storage.sync` (120 writes a minute at most).
const DRAFT_DEBOUNCE_MS: u32 = 500;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn warn(what: &str, error: &ExtError) {
    web_sys::console::warn_1(&format!("StandIn: {what}: {error}").into());
}

struct Popup {
    zone: Zone,
    hours: WorkingHours,
    /// Connected to a team: what is declared is published.
    connected: bool,
    /// The team's members while connected (and known): person fields pick from them.
    roster: Option<Rc<Roster>>,
    /// How many item rows the form shows (their ids are `items-<i>-…`).
    item_count: Cell<usize>,
    /// The pending debounced draft write; replacing or dropping it cancels it.
    draft_timer: RefCell<Option<Timeout>>,
}

pub async fn start() -> Result<(), ExtError> {
    // The team's declared items are read again from the connected accounts (at most once a
    // minute); the Team view hears of it through storage.onChanged. Nothing waits for it.
    wasm_bindgen_futures::spawn_local(async {
        let _ = ext::send_message::<_, Response, ErrorReply>(&Request::RefreshItems).await;
    });
    let in_sync = ext::read(Area::Sync, &[SETTINGS_KEY, DRAFT_KEY]).await;
    let in_local = ext::read(
        Area::Local,
        &[STATE_KEY, DRAFT_KEY, CONNECTION_KEY, TEAM_KEY],
    )
    .await;
    let settings: Settings = in_sync.or_default(SETTINGS_KEY);
    let state: Option<DeclaredState> = in_local.or_default(STATE_KEY);
    let synced: Option<StoredDraft> = in_sync.or_default(DRAFT_KEY);
    let local: Option<StoredDraft> = in_local.or_default(DRAFT_KEY);
    let connection: Option<Connection> = in_local.get(CONNECTION_KEY).ok().flatten();
    let team: TeamCache = in_local.or_default(TEAM_KEY);
    let roster = match &connection {
        Some(c) if !team.members.is_empty() => Some(Rc::new(Roster {
            members: team.members.into_values().collect(),
            me: c.member.id.clone(),
        })),
        _ => None,
    };
    let zone = Zone::for_settings(&settings);
    let popup = Rc::new(Popup {
        zone,
        hours: settings.working_hours,
        connected: connection.is_some(),
        roster,
        item_count: Cell::new(0),
        draft_timer: RefCell::new(None),
    });

    let app = dom::by_id("app").ok_or(ExtError::Missing("<main id=\"app\">"))?;
    let form = dom::by_id("declare-form").ok_or(ExtError::Missing("<form id=\"declare-form\">"))?;
    dom::set_text("zone", popup.zone.name());
    dom::set_hidden("connect-team", popup.connected);
    dom::fill_options("status", &Status::ALL.map(|s| (s.as_str(), s.label())));
    dom::fill_options("expires_at", &Expiry::ALL.map(|e| (e.as_str(), e.label())));

    let restored = newest_draft(synced, local);
    let draft = match (&restored, &state) {
        (Some(stored), _) => stored.draft.clone(),
        (None, Some(state)) => Draft::from_declaration(&state.declaration, &popup.zone),
        (None, None) => Draft::default(),
    };
    popup.fill(&draft);
    if restored.is_some() {
        dom::set_status("draft-status", "Unsent changes restored.", false);
    }
    popup.show_declared(state.as_ref());
    popup.listen(&form);
    // The team parts (tabs, sync line, conflict view, roster) live in `popup_team`; after a
    // conflict choice they hand the new local state back to the form.
    let refill_popup = Rc::clone(&popup);
    let refill: super::popup_team::Refill = Rc::new(move |state: Option<DeclaredState>| {
        let draft = state
            .as_ref()
            .map(|s| Draft::from_declaration(&s.declaration, &refill_popup.zone))
            .unwrap_or_default();
        refill_popup.fill(&draft);
        refill_popup.show_declared(state.as_ref());
    });
    let shared_zone = Rc::new(Zone::named(popup.zone.name()).unwrap_or_else(Zone::browser));
    super::popup_team::mount(&app, Rc::clone(&shared_zone), refill).await?;
    // The end of the day and the start of the shift: the reminder banner and proposed items,
    // the "since you were away" digest, the Team view's timeline; each in its own module.
    let (reader, adder) = (Rc::clone(&popup), Rc::clone(&popup));
    let hooks = super::end_of_day::FormHooks {
        read: Box::new(move || reader.read()),
        add: Box::new(move |item| adder.add_suggested(item)),
    };
    let reminding = super::end_of_day::mount(&app, hooks).await?;
    super::digest::mount(&app, Rc::clone(&shared_zone)).await?;
    super::timeline::mount(shared_zone).await?;
    if reminding && restored.is_none() {
        popup.end_of_day_defaults();
    }
    super::access::mount_notice().await?;
    dom::focus(if reminding { "headline" } else { "status" });
    Ok(())
}

impl Popup {
    /// Puts a draft into the form.
    fn fill(&self, draft: &Draft) {
        dom::set_value("status", draft.status.as_str());
        dom::set_value("emoji", &draft.emoji);
        dom::set_value("headline", &draft.headline);
        dom::set_value("note", &draft.note);
        self.render_items(&draft.items, &[]);
        dom::set_value("blockers", &draft.blockers);
        combobox::show("cover", &draft.cover, self.roster.as_deref());
        dom::set_value("back_at", &draft.back_at);
        dom::set_value("expires_at", draft.expiry.as_str());
        dom::set_value("expires_at-custom", &draft.expires_custom);
        self.update_hints();
    }

    /// Reads the form back as a draft.
    fn read(&self) -> Draft {
        let items = (0..self.item_count.get())
            .map(|i| ItemDraft {
                url: dom::value(&item_control_id(i, "url")),
                title: dom::value(&item_control_id(i, "title")),
                note: dom::value(&item_control_id(i, "note")),
                state: ItemState::parse(&dom::value(&item_control_id(i, "state")))
                    .unwrap_or(ItemState::InProgress),
                handoff_to: combobox::read(&item_control_id(i, "handoff_to")),
            })
            .collect();
        Draft {
            status: Status::parse(&dom::value("status")).unwrap_or(Status::Online),
            headline: dom::value("headline"),
            emoji: dom::value("emoji"),
            note: dom::value("note"),
            items,
            blockers: dom::value("blockers"),
            cover: combobox::read("cover"),
            back_at: dom::value("back_at"),
            expiry: Expiry::parse(&dom::value("expires_at")).unwrap_or_default(),
            expires_custom: dom::value("expires_at-custom"),
        }
    }

    /// Draws the item rows; row `i` shows its details when `open[i]` is true.
    fn render_items(&self, items: &[ItemDraft], open: &[bool]) {
        let Some(list) = dom::by_id("items") else {
            return;
        };
        let rows = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item_row(i, item))
            .collect();
        dom::set_children(&list, rows);
        for (i, item) in items.iter().enumerate() {
            dom::fill_options(
                &item_control_id(i, "state"),
                &ItemState::ALL.map(|s| (s.as_str(), s.label())),
            );
            dom::set_value(&item_control_id(i, "url"), &item.url);
            dom::set_value(&item_control_id(i, "title"), &item.title);
            dom::set_value(&item_control_id(i, "state"), item.state.as_str());
            dom::set_value(&item_control_id(i, "note"), &item.note);
            combobox::show(
                &item_control_id(i, "handoff_to"),
                &item.handoff_to,
                self.roster.as_deref(),
            );
            set_row_open(i, open.get(i).copied().unwrap_or(false));
        }
        self.item_count.set(items.len());
    }

    /// Which rows show their details now.
    fn rows_open(&self) -> Vec<bool> {
        (0..self.item_count.get())
            .map(|i| {
                dom::by_id(&item_control_id(i, "more"))
                    .and_then(|b| b.get_attribute("aria-expanded"))
                    .as_deref()
                    == Some("true")
            })
            .collect()
    }

    /// While the reminder shows: going offline, back the next working day. Not an edit of the
    /// user's, so no draft is written until they change something.
    fn end_of_day_defaults(&self) {
        dom::set_value("status", Status::Offline.as_str());
        if let Some(value) =
            back_at_choice(BackAtChoice::NextWorkingDay, now(), &self.hours, &self.zone)
        {
            dom::set_value("back_at", &value);
        }
        self.update_hints();
    }

    /// The counter and the "Mon 30 Nov, 09:00 (in 2 d)" lines, from the form's values.
    fn update_hints(&self) {
        dom::set_text(
            "headline-count",
            &counter_text(&dom::value("headline"), limits::HEADLINE),
        );
        let now = now();
        let describe = |at: Option<Timestamp>| {
            at.map(|at| describe_at(at, now, &self.zone))
                .unwrap_or_default()
        };
        dom::set_text(
            "back_at-local",
            &describe(local_value_instant(&dom::value("back_at"), &self.zone)),
        );
        let expiry = Expiry::parse(&dom::value("expires_at")).unwrap_or_default();
        let expires_at = match expiry {
            Expiry::Never => None,
            Expiry::EndOfToday => Some(end_of_day(now, &self.zone)),
            Expiry::OneDay => Some(Timestamp(now.millis() + DAY_MS)),
            Expiry::Custom => local_value_instant(&dom::value("expires_at-custom"), &self.zone),
        };
        dom::set_text("expires_at-local", &describe(expires_at));
        dom::set_hidden("expires_at-custom-field", expiry != Expiry::Custom);
    }

    /// "Declared 17:42" and the Clear button while a state is declared.
    fn show_declared(&self, state: Option<&DeclaredState>) {
        dom::set_hidden("clear", state.is_none());
        let text = state
            .map(|s| declared_text(s.declared_at, now(), &self.zone))
            .unwrap_or_default();
        if self.connected || text.is_empty() {
            dom::set_status("declare-status", &text, false);
        } else {
            // Without a team nothing is published: no green "Declared" that looks sent.
            dom::set_status(
                "declare-status",
                &format!("{text} \u{b7} saved on this device only"),
                false,
            );
            if let Some(line) = dom::by_id("declare-status") {
                let _ = line.set_attribute("class", "local");
            }
        }
    }

    fn listen(self: &Rc<Self>, form: &Element) {
        // The listeners live as long as the popup page: leaked on purpose.
        for kind in ["input", "change"] {
            let popup = Rc::clone(self);
            EventListener::new(form, kind, move |_| popup.edited()).forget();
        }
        // The submit button's click reaches `on_button` too, which ignores it.
        let popup = Rc::clone(self);
        dom::on_button_click(form, move |button| popup.on_button(&button.id()));
        let popup = Rc::clone(self);
        dom::on_submit(form, move || dom::spawn(Rc::clone(&popup).declare()));
        if let Some(roster) = &self.roster {
            let popup = Rc::clone(self);
            combobox::listen(form, Rc::clone(roster), Rc::new(move || popup.edited()));
        }
        let document = dom::document();
        let popup = Rc::clone(self);
        let options = EventListenerOptions::enable_prevent_default();
        EventListener::new_with_options(&document, "keydown", options, move |event| {
            let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if key.key() == "Escape" {
                if let Some(window) = web_sys::window() {
                    let _ = window.close();
                }
            } else if key.key() == "Enter" && (key.ctrl_key() || key.meta_key()) {
                // Ctrl/Cmd+Enter declares from anywhere in the form (a person field's open
                // list has picked its active teammate first: the form's listener ran before).
                if dom::by_id("declare-form").is_some_and(|f| !f.has_attribute("hidden")) {
                    key.prevent_default();
                    dom::spawn(Rc::clone(&popup).declare());
                }
            }
        })
        .forget();
        // Closing the popup ends its timers: write a pending draft now.
        let popup = Rc::clone(self);
        EventListener::new(&document, "visibilitychange", move |_| {
            if dom::document().visibility_state() == web_sys::VisibilityState::Hidden {
                popup.flush_draft();
            }
        })
        .forget();
    }

    fn on_button(self: &Rc<Self>, id: &str) {
        match id {
            // The asynchronous actions record their own edits when they complete.
            "add-tab" => dom::spawn(Rc::clone(self).add_tab()),
            "clear" => dom::spawn(Rc::clone(self).clear()),
            "add-item" => {
                let mut draft = self.read();
                let mut open = self.rows_open();
                draft.items.push(ItemDraft::default());
                // A new empty item needs its link: it opens with its details shown.
                open.push(true);
                self.render_items(&draft.items, &open);
                dom::focus(&item_control_id(draft.items.len() - 1, "url"));
                self.edited();
            }
            "back_at-next" => self.quick_back_at(Some(BackAtChoice::NextWorkingDay)),
            "back_at-monday" => self.quick_back_at(Some(BackAtChoice::Monday)),
            "back_at-none" => self.quick_back_at(None),
            _ => {
                if let Some((index, action)) = parse_item_control_id(id) {
                    self.item_action(index, action);
                }
            }
        }
    }

    /// Adds an item the end-of-day proposals offered, as the user's own edit: listed once,
    /// with the state, note and hand-off it was carried over with.
    fn add_suggested(self: &Rc<Self>, item: &ItemDraft) {
        let mut draft = self.read();
        let open = self.rows_open();
        let before = draft.items.len();
        let index = draft.add_item(&item.url, &item.title);
        if index == before {
            if let Some(added) = draft.items.get_mut(index) {
                *added = item.clone();
            }
        }
        self.render_items(&draft.items, &open);
        dom::focus(&item_control_id(index, "state"));
        self.edited();
    }

    /// After any change to the form: refresh what is derived from it, save the draft soon.
    fn edited(self: &Rc<Self>) {
        self.update_hints();
        self.schedule_draft_save();
    }

    fn quick_back_at(self: &Rc<Self>, choice: Option<BackAtChoice>) {
        let value = match choice {
            Some(choice) => match back_at_choice(choice, now(), &self.hours, &self.zone) {
                Some(value) => value,
                None => {
                    dom::set_text(
                        "back_at-local",
                        "No working days set: pick a date and time, or set them in the options.",
                    );
                    return;
                }
            },
            None => String::new(),
        };
        dom::set_value("back_at", &value);
        self.edited();
    }

    fn item_action(self: &Rc<Self>, index: usize, action: &str) {
        let mut draft = self.read();
        let mut open = self.rows_open();
        let focus = match action {
            "more" => {
                let shown = !open.get(index).copied().unwrap_or(false);
                return set_row_open(index, shown);
            }
            "up" | "down" => {
                let direction = if action == "up" {
                    Direction::Up
                } else {
                    Direction::Down
                };
                let to = draft.move_item(index, direction).unwrap_or(index);
                open.swap(index, to);
                item_control_id(to, action)
            }
            "remove" if index < draft.items.len() => {
                draft.items.remove(index);
                open.remove(index);
                match draft.items.len() {
                    0 => "add-tab".to_string(),
                    n => item_control_id(index.min(n - 1), "url"),
                }
            }
            _ => return,
        };
        self.render_items(&draft.items, &open);
        dom::focus(&focus);
        self.edited();
    }

    async fn add_tab(self: Rc<Self>) {
        let tab = match ext::active_tab().await {
            Ok(tab) => tab,
            Err(e) => {
                dom::set_status("add-tab-status", &e.to_string(), true);
                return;
            }
        };
        let Some((url, title)) = tab.and_then(|t| Some((t.url?, t.title.unwrap_or_default())))
        else {
            dom::set_status(
                "add-tab-status",
                "Cannot read this tab's address; use \u{201c}Add a link\u{201d}.",
                true,
            );
            return;
        };
        if parse_http_url(&url).is_none() {
            dom::set_status(
                "add-tab-status",
                "This tab is not a web page; use \u{201c}Add a link\u{201d}.",
                true,
            );
            return;
        }
        let mut draft = self.read();
        let open = self.rows_open();
        let before = draft.items.len();
        let index = draft.add_item(&url, &title);
        self.render_items(&draft.items, &open);
        let message = if draft.items.len() > before {
            "Added."
        } else {
            "Already listed."
        };
        dom::set_status("add-tab-status", message, false);
        dom::focus(&item_control_id(index, "state"));
        self.edited();
    }

    fn schedule_draft_save(self: &Rc<Self>) {
        let popup = Rc::clone(self);
        let timer = Timeout::new(DRAFT_DEBOUNCE_MS, move || {
            dom::spawn(popup.save_draft());
        });
        // Replacing the pending timer drops it, which cancels it: only the last edit writes.
        self.draft_timer.replace(Some(timer));
    }

    fn flush_draft(self: &Rc<Self>) {
        if self.draft_timer.take().is_some() {
            dom::spawn(Rc::clone(self).save_draft());
        }
    }

    async fn save_draft(self: Rc<Self>) {
        let stored = StoredDraft {
            saved_at: now(),
            draft: self.read(),
        };
        let (text, problem) = match store_draft(&stored).await {
            Ok(None) => ("Draft saved.".to_string(), false),
            Ok(Some(why)) => (why, true),
            Err(e) => (format!("Draft not saved: {e}"), true),
        };
        dom::set_status("draft-status", &text, problem);
    }

    async fn declare(self: Rc<Self>) {
        dom::clear_errors();
        dom::set_status("declare-status", "", false);
        let now = now();
        let members = self.roster.as_ref().map(|r| r.all());
        let ctx = Context {
            now,
            zone: &self.zone,
            zone_name: self.zone.name(),
            roster: members.as_deref(),
        };
        let declaration = match self.read().to_declaration(&ctx) {
            Ok(declaration) => declaration,
            Err(invalid) => return self.show_invalid(&invalid),
        };
        match ext::send_message(&Request::Declare(Box::new(declaration))).await {
            Ok(Ok(Response::Declared(state))) => {
                // The draft is now the declared state; nothing pending may resurrect it.
                drop(self.draft_timer.take());
                discard_draft().await;
                self.fill(&Draft::from_declaration(&state.declaration, &self.zone));
                self.show_declared(Some(&state));
                // Declared: the reminder has done its job (the worker clears the badge).
                if let Some(reminder) = dom::by_id("reminder") {
                    reminder.remove();
                }
            }
            reply => self.show_failure(reply),
        }
    }

    async fn clear(self: Rc<Self>) {
        dom::clear_errors();
        match ext::send_message(&Request::Clear).await {
            Ok(Ok(Response::Cleared)) => {
                drop(self.draft_timer.take());
                discard_draft().await;
                self.fill(&Draft::default());
                self.show_declared(None);
                dom::set_status("declare-status", "Cleared.", false);
                dom::focus("status");
            }
            reply => self.show_failure(reply),
        }
    }

    fn show_invalid(&self, invalid: &ValidationErrors) {
        // A problem in a row's details shows them, so it is seen beside its field.
        for e in &invalid.0 {
            if let Some((i, "url" | "note")) =
                parse_item_control_id(&crate::display::field_slug(&e.field))
            {
                set_row_open(i, true);
            }
        }
        let hint = "please fix the marked fields.";
        dom::show_errors(invalid, "declare-status", "Not declared", hint);
    }

    fn show_failure(&self, reply: dom::Reply) {
        match reply {
            Ok(Err(ErrorReply { errors, .. })) if !errors.is_empty() => {
                self.show_invalid(&ValidationErrors(errors));
            }
            Ok(Ok(_)) => {
                dom::set_status(
                    "declare-status",
                    "Unexpected answer from the background.",
                    true,
                );
            }
            reply => dom::show_failure("declare-status", "Failed: ", reply),
        }
    }
}

/// Writes the draft to `storage.sync`, or to `storage.local` when it does not fit or sync
/// refuses it (quota, write rate). Returns why it was kept on this device, if it was.
async fn store_draft(stored: &StoredDraft) -> Result<Option<String>, ExtError> {
    let json = ext::encode(stored);
    let why = if fits_sync_item(DRAFT_KEY, stored) {
        match ext::set(Area::Sync, &[(DRAFT_KEY, &json)]).await {
            Ok(()) => {
                // The synced copy is the newest now; a stale local one must not win later.
                ext::remove(Area::Local, &[DRAFT_KEY]).await?;
                return Ok(None);
            }
            Err(e) => format!("Sync refused the draft ({e}); it is kept on this device."),
        }
    } else {
        "Draft too large to sync; it is kept on this device.".to_string()
    };
    ext::set(Area::Local, &[(DRAFT_KEY, &json)]).await?;
    Ok(Some(why))
}

async fn discard_draft() {
    for area in [Area::Sync, Area::Local] {
        if let Err(e) = ext::remove(area, &[DRAFT_KEY]).await {
            warn("could not discard the draft", &e);
        }
    }
    dom::set_status("draft-status", "", false);
}

/// Shows or hides row `i`'s details (link, note, move and remove).
fn set_row_open(i: usize, open: bool) {
    dom::set_hidden(&item_control_id(i, "details"), !open);
    if let Some(button) = dom::by_id(&item_control_id(i, "more")) {
        let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
}

/// Item `i`'s row, from the page's `item-row` template: its ids numbered, its legend filled.
fn item_row(i: usize, item: &ItemDraft) -> Option<Element> {
    let row = dom::row("item-row")?;
    dom::number_ids(&row, i);
    let legend = match item.title.trim() {
        "" => format!("Item {}", i + 1),
        title => format!("Item {}: {}", i + 1, shown(title)),
    };
    dom::fill(&row, "legend", &legend);
    Some(row)
}
