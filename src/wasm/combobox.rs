//! The popup's person fields (an item's hand-off, the cover) as WAI-ARIA 1.2 comboboxes over the
//! team's roster: list autocomplete with automatic selection. `crate::people` decides who is
//! offered and whom a field names; this module draws the list and follows the keys.
//!
//! Markup (`popup.html`): `input[role=combobox]` whose `aria-controls` names its
//! `ul[role=listbox]`; options from the `person-option` template, ids `<input id>-opt-<k>`,
//! each with `data-member`. Typing lists the teammates with a name or handle that has a word
//! starting with the text, the first one active (`aria-activedescendant`); ArrowDown/ArrowUp
//! move (and open the list); Enter picks the active one (Ctrl/Cmd+Enter too, before the form
//! declares), as does leaving the field (Tab) or a click; Escape closes the list (a second Escape closes the popup). A pick shows the display
//! name and keeps the member's id in `data-member`, which is what the form reads; typing again
//! drops it. A name that fits no one is flagged beside the field when focus leaves it.

use super::dom;
use crate::model::Member;
use crate::people::{reference, suggest};
use gloo::events::{EventListener, EventListenerOptions};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, KeyboardEvent};

/// How many teammates a list offers at most.
const OFFERED: usize = 8;

/// The team's members, and which of them is the user (never offered to themself).
pub struct Roster {
    pub members: Vec<Member>,
    pub me: String,
}

impl Roster {
    pub fn all(&self) -> Vec<&Member> {
        self.members.iter().collect()
    }

    fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }
}

/// Puts a stored reference into the field `id`: a member's id shows as their display name.
pub fn show(id: &str, stored: &str, roster: Option<&Roster>) {
    let Some(input) = input(id) else {
        return;
    };
    match roster.and_then(|r| r.member(stored)) {
        Some(m) => {
            input.set_value(&m.display_name);
            let _ = input.set_attribute("data-member", &m.id);
        }
        None => {
            input.set_value(stored);
            let _ = input.remove_attribute("data-member");
        }
    }
}

/// What the field `id` holds for the draft: the picked member's id, else the text as typed.
pub fn read(id: &str) -> String {
    input(id)
        .and_then(|i| i.get_attribute("data-member"))
        .unwrap_or_else(|| dom::value(id))
}

/// Follows the keys, clicks and focus of every combobox inside `form` for the page's lifetime;
/// `picked` runs after a pick changed a field (as the user's own edit).
pub fn listen(form: &Element, roster: Rc<Roster>, picked: Rc<dyn Fn()>) {
    let active = EventListenerOptions::enable_prevent_default();
    let r = Rc::clone(&roster);
    EventListener::new(form, "input", move |event| {
        if let Some(input) = combobox(event) {
            let _ = input.remove_attribute("data-member");
            open(&input, &r);
        }
    })
    .forget();
    let (r, p) = (Rc::clone(&roster), Rc::clone(&picked));
    EventListener::new_with_options(form, "keydown", active, move |event| {
        if let (Some(input), Some(key)) = (combobox(event), event.dyn_ref::<KeyboardEvent>()) {
            on_key(&input, key, &r, p.as_ref());
        }
    })
    .forget();
    let (r, p) = (Rc::clone(&roster), Rc::clone(&picked));
    EventListener::new(form, "focusout", move |event| {
        if let Some(input) = combobox(event) {
            if pick_active(&input, &r) {
                p();
            }
            close(&input);
            flag(&input, &r);
        }
    })
    .forget();
    // A press on an option must not take the focus from the field (which would close the list).
    EventListener::new_with_options(form, "mousedown", active, |event| {
        if option_of(event).is_some() {
            event.prevent_default();
        }
    })
    .forget();
    EventListener::new(form, "click", move |event| {
        let Some(option) = option_of(event) else {
            return;
        };
        let input = option
            .parent_element()
            .and_then(|list| {
                dom::document()
                    .query_selector(&format!("[role='combobox'][aria-controls='{}']", list.id()))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        let member = option
            .get_attribute("data-member")
            .and_then(|id| roster.member(&id));
        if let (Some(input), Some(member)) = (input, member) {
            pick(&input, member);
            flag(&input, &roster);
            picked();
        }
    })
    .forget();
}

fn on_key(input: &HtmlInputElement, key: &KeyboardEvent, roster: &Roster, picked: &dyn Fn()) {
    let expanded = input.get_attribute("aria-expanded").as_deref() == Some("true");
    match key.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            key.prevent_default();
            if expanded {
                step(input, if key.key() == "ArrowDown" { 1 } else { -1 });
            } else {
                open(input, roster);
            }
        }
        // Ctrl/Cmd+Enter picks too, then declares (the page's own listener).
        "Enter" if expanded => {
            key.prevent_default();
            if pick_active(input, roster) {
                flag(input, roster);
                picked();
            }
        }
        "Escape" if expanded => {
            // The list closes; the popup stays open.
            key.prevent_default();
            key.stop_propagation();
            close(input);
        }
        _ => {}
    }
}

fn input(id: &str) -> Option<HtmlInputElement> {
    dom::by_id(id)?.dyn_into().ok()
}

/// The combobox an event happened on.
fn combobox(event: &Event) -> Option<HtmlInputElement> {
    let input: HtmlInputElement = event.target()?.dyn_into().ok()?;
    (input.get_attribute("role").as_deref() == Some("combobox")).then_some(input)
}

fn option_of(event: &Event) -> Option<Element> {
    let target: Element = event.target()?.dyn_into().ok()?;
    target.closest("[role='option']").ok().flatten()
}

fn list(input: &HtmlInputElement) -> Option<Element> {
    dom::by_id(&input.get_attribute("aria-controls")?)
}

fn options(input: &HtmlInputElement) -> Vec<Element> {
    let Some(list) = list(input) else {
        return Vec::new();
    };
    let Ok(found) = list.query_selector_all("[role='option']") else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into().ok())
        .collect()
}

/// Lists the teammates the field's text may mean, the first one active.
fn open(input: &HtmlInputElement, roster: &Roster) {
    let others: Vec<&Member> = roster
        .members
        .iter()
        .filter(|m| m.id != roster.me)
        .collect();
    let found = suggest(&input.value(), &others, OFFERED);
    let rows = found
        .iter()
        .enumerate()
        .filter_map(|(k, m)| option_row(&format!("{}-opt-{k}", input.id()), m))
        .collect();
    if let Some(list) = list(input) {
        dom::set_children(&list, rows);
        let _ = list.toggle_attribute_with_force("hidden", found.is_empty());
    }
    let expanded = if found.is_empty() { "false" } else { "true" };
    let _ = input.set_attribute("aria-expanded", expanded);
    set_active(input, options(input).first());
}

fn option_row(id: &str, m: &Member) -> Option<Element> {
    let row = dom::row("person-option")?;
    let _ = row.set_attribute("id", id);
    let _ = row.set_attribute("data-member", &m.id);
    dom::fill_user(&row, "name", &m.display_name);
    let h = &m.handles;
    let handle = [&h.github, &h.gitlab, &h.linear, &h.jira]
        .into_iter()
        .flatten()
        .next()
        .map(|handle| format!(" @{}", crate::display::shown(handle)));
    dom::fill_or_drop(&row, "handle", handle);
    Some(row)
}

fn close(input: &HtmlInputElement) {
    let _ = input.set_attribute("aria-expanded", "false");
    let _ = input.remove_attribute("aria-activedescendant");
    if let Some(list) = list(input) {
        let _ = list.set_attribute("hidden", "");
    }
}

fn set_active(input: &HtmlInputElement, active: Option<&Element>) {
    for option in options(input) {
        let on = active.is_some_and(|a| a.id() == option.id());
        let _ = option.set_attribute("aria-selected", if on { "true" } else { "false" });
    }
    match active {
        Some(option) => {
            let _ = input.set_attribute("aria-activedescendant", &option.id());
        }
        None => {
            let _ = input.remove_attribute("aria-activedescendant");
        }
    }
}

/// Moves the active option by `by`, wrapping at the ends.
fn step(input: &HtmlInputElement, by: isize) {
    let all = options(input);
    if all.is_empty() {
        return;
    }
    let current = input.get_attribute("aria-activedescendant");
    let at = all
        .iter()
        .position(|o| Some(o.id()) == current)
        .map_or(if by > 0 { -1 } else { 0 }, |i| i as isize);
    let next = (at + by).rem_euclid(all.len() as isize) as usize;
    set_active(input, all.get(next));
}

/// Picks the active option of an open list; returns whether it did.
fn pick_active(input: &HtmlInputElement, roster: &Roster) -> bool {
    let expanded = input.get_attribute("aria-expanded").as_deref() == Some("true");
    let member = input
        .get_attribute("aria-activedescendant")
        .and_then(|id| dom::by_id(&id))
        .and_then(|o| o.get_attribute("data-member"))
        .and_then(|id| roster.member(&id));
    match member {
        Some(m) if expanded => {
            pick(input, m);
            true
        }
        _ => false,
    }
}

fn pick(input: &HtmlInputElement, m: &Member) {
    input.set_value(&m.display_name);
    let _ = input.set_attribute("data-member", &m.id);
    close(input);
}

/// Shows beside the field whether its text names one teammate (as Declare will check).
fn flag(input: &HtmlInputElement, roster: &Roster) {
    let problem = match input.get_attribute("data-member") {
        Some(_) => None,
        None => reference(&input.value(), Some(&roster.all())).err(),
    };
    dom::set_field_error(&input.id(), problem.as_deref());
}
