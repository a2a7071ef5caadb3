//! Small helpers shared by the popup and the options page: DOM building and reading, status
//! lines, listeners, tasks and storage reads. User text only ever goes in through `textContent`
//! and `value`, never as HTML, and is shown through [`user_text_el`] or `display::shown`.

use super::ext::{self, ExtError};
use super::zone::Zone;
use crate::display::{error_id, field_slug, shown};
use crate::message::{ErrorReply, Response};
use crate::time::{Timestamp, ZoneOffsets};
use crate::validate::ValidationErrors;
use gloo::events::{EventListener, EventListenerOptions};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the popup and options pages have a document")
}

pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// A new element with attributes.
pub fn el(tag: &str, attrs: &[(&str, &str)]) -> Element {
    // Only an invalid tag name throws, and every tag here is a literal.
    let element = document().create_element(tag).expect("a valid tag name");
    for (name, value) in attrs {
        let _ = element.set_attribute(name, value);
    }
    element
}

/// A new element with attributes and text content.
pub fn text_el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let element = el(tag, attrs);
    element.set_text_content(Some(text));
    element
}

/// An element holding someone's text: its bidi controls paired (`display::shown`), isolated
/// from what surrounds it and in the text's own direction (`dir="auto"`).
pub fn user_text_el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let element = text_el(tag, attrs, &shown(text));
    let _ = element.set_attribute("dir", "auto");
    element
}

pub fn append(parent: &Element, children: &[&Element]) {
    for child in children {
        let _ = parent.append_child(child);
    }
}

/// A labelled field for the control editing `path`: the label, the control (given the id
/// `field_slug(path)`), `extra` elements (counter, hint, quick choices) and the error message
/// element `error_id(path)`, which the control's `aria-describedby` names.
pub fn field(path: &str, label: &str, control: &Element, extra: &[&Element]) -> Element {
    let id = field_slug(path);
    let error = error_id(path);
    let wrapper = el("div", &[("class", "field")]);
    let _ = control.set_attribute("id", &id);
    // Hints (counter, "in 2 d") describe the control; other controls beside it do not.
    let mut described_by: Vec<String> = extra
        .iter()
        .filter(|e| matches!(e.tag_name().as_str(), "P" | "SPAN"))
        .filter_map(|e| e.get_attribute("id"))
        .collect();
    described_by.push(error.clone());
    let _ = control.set_attribute("aria-describedby", &described_by.join(" "));
    append(
        &wrapper,
        &[&text_el("label", &[("for", &id)], label), control],
    );
    for e in extra {
        append(&wrapper, &[e]);
    }
    append(&wrapper, &[&error_message(&error)]);
    wrapper
}

/// The (hidden until needed) message element that shows a field's error.
pub fn error_message(id: &str) -> Element {
    el("p", &[("id", id), ("class", "error"), ("hidden", "")])
}

pub fn option(value: &str, label: &str) -> Element {
    text_el("option", &[("value", value)], label)
}

pub fn button(id: &str, label: &str) -> Element {
    text_el("button", &[("type", "button"), ("id", id)], label)
}

/// The value of the input, select or textarea with this id ("" if there is none).
pub fn value(id: &str) -> String {
    let Some(element) = by_id(id) else {
        return String::new();
    };
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else {
        String::new()
    }
}

pub fn set_value(id: &str, value: &str) {
    let Some(element) = by_id(id) else {
        return;
    };
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.set_value(value);
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    }
}

pub fn checked(id: &str) -> bool {
    by_id(id)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

pub fn set_checked(id: &str, on: bool) {
    if let Some(input) = by_id(id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
        input.set_checked(on);
    }
}

pub fn set_text(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
    }
}

pub fn set_hidden(id: &str, hidden: bool) {
    if let Some(element) = by_id(id) {
        let _ = element.toggle_attribute_with_force("hidden", hidden);
    }
}

pub fn focus(id: &str) {
    if let Some(element) = by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// A status line (`role="status"`): its text and whether it reports a problem.
pub fn set_status(id: &str, text: &str, problem: bool) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
        let _ = element.set_attribute("class", if problem { "error" } else { "ok" });
    }
}

pub fn clear_errors() {
    for_each_match("[aria-invalid]", &|element| {
        let _ = element.remove_attribute("aria-invalid");
    });
    for_each_match("p.error[id^='error-']", &|element| {
        element.set_text_content(None);
        let _ = element.set_attribute("hidden", "");
    });
}

/// Calls `f` with every element of the page that `selector` matches.
fn for_each_match(selector: &str, f: &dyn Fn(Element)) {
    if let Ok(list) = document().query_selector_all(selector) {
        for node in (0..list.length()).filter_map(|i| list.item(i)) {
            if let Ok(element) = node.dyn_into::<Element>() {
                f(element);
            }
        }
    }
}

/// Shows each error beside its field and marks the control invalid, focuses the first invalid
/// control on the page, and sums up in the status line `status_id`: "`outcome`: `hint`", or
/// the errors that have no field on this page (e.g. `timezone` in the popup) after `outcome`.
pub fn show_errors(errors: &ValidationErrors, status_id: &str, outcome: &str, hint: &str) {
    let mut unplaced = Vec::new();
    for e in &errors.0 {
        match by_id(&error_id(&e.field)) {
            Some(message) => {
                message.set_text_content(Some(&e.message));
                let _ = message.remove_attribute("hidden");
                if let Some(control) = by_id(&field_slug(&e.field)) {
                    let _ = control.set_attribute("aria-invalid", "true");
                }
            }
            None => unplaced.push(format!("{}: {}", e.field, e.message)),
        }
    }
    if let Some(first) = document()
        .query_selector("[aria-invalid='true']")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = first.focus();
    }
    let summary = if unplaced.is_empty() {
        hint.to_string()
    } else {
        unplaced.join("; ")
    };
    set_status(status_id, &format!("{outcome}: {summary}"), true);
}

/// The time now, by the browser's clock.
pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// The zone named `name` (a teammate's), the browser's when it is unknown here.
pub fn zone_of(name: &str) -> Box<dyn ZoneOffsets> {
    Box::new(Zone::named(name).unwrap_or_else(Zone::browser))
}

/// Calls `then` after every change of one of `keys` in `storage.local`, for the page's lifetime.
pub fn on_local_change(
    keys: &'static [&'static str],
    then: impl Fn() + 'static,
) -> Result<(), ExtError> {
    // Boxed: one copy of the listener serves every page part.
    watch_local(keys, Box::new(then))
}

fn watch_local(keys: &'static [&'static str], then: Box<dyn Fn()>) -> Result<(), ExtError> {
    let listener = ext::on_storage_changed(move |area, changed| {
        if area == "local" && changed.iter().any(|k| keys.contains(&k.as_str())) {
            then();
        }
    })?;
    // Page-lifetime listener: leaked on purpose.
    listener.forget();
    Ok(())
}

/// What the background worker answered a request with.
pub type Reply = Result<Result<Response, ErrorReply>, ExtError>;

/// Reports in the status line `id` an answer that is not the expected success: the worker's
/// message, or why it could not be asked, after `prefix`.
pub fn show_failure(id: &str, prefix: &str, reply: Reply) {
    let text = match reply {
        Ok(Err(e)) => format!("{prefix}{}", e.message),
        Ok(Ok(_)) => "Unexpected answer.".to_string(),
        Err(e) => format!("{prefix}{e}"),
    };
    set_status(id, &text, true);
}

/// A form's submit row: the button (`class` may be empty) and the status line that reports
/// its outcome.
pub fn submit_row(button_id: &str, label: &str, class: &str, status_id: &str) -> Element {
    let row = el("div", &[("class", "row actions")]);
    append(
        &row,
        &[
            &text_el(
                "button",
                &[("type", "submit"), ("id", button_id), ("class", class)]
                    [..if class.is_empty() { 2 } else { 3 }],
                label,
            ),
            &el("p", &[("id", status_id), ("role", "status")]),
        ],
    );
    row
}

/// Runs `task` on the page's event loop. Each `spawn_local::<F>` carries its own copy of the
/// executor's spawning code; boxing first lets one copy serve every task the pages start.
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(task));
}

fn spawn_boxed(task: Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task);
}

/// Calls `handler` with the button a click inside `root` landed on (delegation: one listener for
/// every button the view re-renders). Page-lifetime: leaked on purpose, as the page lives as long
/// as the listener must.
pub fn on_button_click(root: &Element, handler: impl Fn(Element) + 'static) {
    // Boxed: one copy of the listener serves every handler.
    listen_button_clicks(root, Box::new(handler));
}

/// Calls `then` when `form` is submitted, instead of the browser's navigation. Page-lifetime,
/// like [`on_button_click`].
pub fn on_submit(form: &Element, then: impl Fn() + 'static) {
    EventListener::new_with_options(
        form,
        "submit",
        EventListenerOptions::enable_prevent_default(),
        move |event| {
            event.prevent_default();
            then();
        },
    )
    .forget();
}

fn listen_button_clicks(root: &Element, handler: Box<dyn Fn(Element)>) {
    EventListener::new(root, "click", move |event| {
        let button = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten());
        if let Some(button) = button {
            handler(button);
        }
    })
    .forget();
}
