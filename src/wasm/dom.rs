//! Small helpers shared by the popup and the options page: finding, filling and reading the
//! pages' elements (their markup is in `extension/*.html`, repeated rows in `<template>`s),
//! status lines, listeners, tasks and storage reads. User text only ever goes in through
//! `textContent` and `value`, never as HTML, and is shown through [`fill_user`] or
//! `display::shown`.

use super::ext::{self, ExtError};
use super::zone::Zone;
use crate::display::{error_id, field_slug, shown};
use crate::message::{ErrorReply, Response};
use crate::time::{Timestamp, ZoneOffsets};
use crate::validate::ValidationErrors;
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, DocumentFragment, Element, HtmlElement, HtmlInputElement, HtmlOptionElement,
    HtmlSelectElement, HtmlTemplateElement, HtmlTextAreaElement, Node, NodeList,
};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the popup and options pages have a document")
}

pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// A copy of the content of `<template id=…>`: the page's markup for a part it shows only
/// sometimes or repeats. `None` only when the page lacks that template.
pub fn fragment(id: &str) -> Option<DocumentFragment> {
    let template: HtmlTemplateElement = by_id(id)?.dyn_into().ok()?;
    let copy = template.content().clone_node_with_deep(true).ok()?;
    drop_indentation(&copy);
    copy.dyn_into().ok()
}

/// Removes the whitespace-only text nodes under `node`: the templates are indented for
/// reading, and that indentation must not become part of a row's text (`textContent`).
fn drop_indentation(node: &Node) {
    let children = node.child_nodes();
    for child in (0..children.length())
        .rev()
        .filter_map(|i| children.item(i))
    {
        if child.node_type() != Node::TEXT_NODE {
            drop_indentation(&child);
        } else if child
            .text_content()
            .is_some_and(|text| text.bytes().all(|b| b.is_ascii_whitespace()))
        {
            let _ = node.remove_child(&child);
        }
    }
}

/// A copy of the first element of `<template id=…>`: one row.
pub fn row(id: &str) -> Option<Element> {
    fragment(id)?.first_element_child()
}

/// A row of `<template id=…>` holding `text`.
pub fn text_row(id: &str, text: &str) -> Option<Element> {
    let row = row(id)?;
    row.set_text_content(Some(text));
    Some(row)
}

/// The element inside `root` that its template marks `data-slot="<name>"`.
pub fn slot(root: &Element, name: &str) -> Option<Element> {
    root.query_selector(&format!("[data-slot='{name}']"))
        .ok()
        .flatten()
}

/// Sets the text of `root`'s slot `name`.
pub fn fill(root: &Element, name: &str, text: &str) {
    if let Some(element) = slot(root, name) {
        element.set_text_content(Some(text));
    }
}

/// Someone's text in `root`'s slot `name`, its bidi controls paired (`display::shown`); the
/// templates isolate such elements (`<bdi>` or `dir="auto"`).
pub fn fill_user(root: &Element, name: &str, text: &str) {
    fill(root, name, &shown(text));
}

/// Fills `root`'s slot `name` with `text`, or removes it: a part this row does not have.
pub fn fill_or_drop(root: &Element, name: &str, text: Option<String>) {
    match (slot(root, name), text) {
        (Some(element), Some(text)) => element.set_text_content(Some(&text)),
        (Some(element), None) => element.remove(),
        (None, _) => {}
    }
}

/// Replaces `parent`'s children with `children`.
pub fn set_children(parent: &Element, children: Vec<Element>) {
    let children: js_sys::Array = children.into_iter().map(JsValue::from).collect();
    parent.replace_children_with_node(&children);
}

/// Gives a copy of a row its own ids: `#` in its elements' `id`, `for`, `aria-describedby` and
/// `aria-controls` becomes `n` (`items-#-url` → `items-2-url`, `#-form` → `github-form`).
pub fn number_ids(row: &Element, n: impl std::fmt::Display) {
    let n = n.to_string();
    if let Ok(list) = row.query_selector_all("[id], [for], [aria-describedby], [aria-controls]") {
        each(&list, &|element| {
            for name in ["id", "for", "aria-describedby", "aria-controls"] {
                if let Some(value) = element.get_attribute(name) {
                    let _ = element.set_attribute(name, &value.replace('#', &n));
                }
            }
        });
    }
}

/// Puts `(value, label)` options into the select or datalist with this id.
pub fn fill_options(id: &str, options: &[(&str, &str)]) {
    let Some(list) = by_id(id) else {
        return;
    };
    let options: js_sys::Array = options
        .iter()
        .filter_map(|(value, label)| HtmlOptionElement::new_with_text_and_value(label, value).ok())
        .map(JsValue::from)
        .collect();
    list.replace_children_with_node(&options);
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
        each(&list, f);
    }
}

/// The elements under `root` that `selector` matches, in document order.
pub fn matching(root: &Element, selector: &str) -> Vec<Element> {
    let found = std::cell::RefCell::new(Vec::new());
    if let Ok(list) = root.query_selector_all(selector) {
        each(&list, &|e| found.borrow_mut().push(e));
    }
    found.into_inner()
}

fn each(list: &NodeList, f: &dyn Fn(Element)) {
    for node in (0..list.length()).filter_map(|i| list.item(i)) {
        if let Ok(element) = node.dyn_into::<Element>() {
            f(element);
        }
    }
}

/// Shows `problem` beside the field at `path` (its `error-…` paragraph) and marks its control
/// invalid; `None` clears both. Returns whether the field has a place on this page.
pub fn set_field_error(path: &str, problem: Option<&str>) -> bool {
    let Some(message) = by_id(&error_id(path)) else {
        return false;
    };
    message.set_text_content(problem);
    let _ = message.toggle_attribute_with_force("hidden", problem.is_none());
    if let Some(control) = by_id(&field_slug(path)) {
        let _ = match problem {
            Some(_) => control.set_attribute("aria-invalid", "true"),
            None => control.remove_attribute("aria-invalid"),
        };
    }
    true
}

/// Shows each error beside its field and marks the control invalid, focuses the first invalid
/// control on the page, and sums up in the status line `status_id`: "`outcome`: `hint`", or
/// the errors that have no field on this page (e.g. `timezone` in the popup) after `outcome`.
pub fn show_errors(errors: &ValidationErrors, status_id: &str, outcome: &str, hint: &str) {
    let mut unplaced = Vec::new();
    for e in &errors.0 {
        if !set_field_error(&e.field, Some(&e.message)) {
            unplaced.push(format!("{}: {}", e.field, e.message));
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

/// Reads `keys` of `storage.local` and calls `show` with them, then again after every change of
/// one of them, for the page's lifetime. A change is applied from the new values its report
/// carries, never read again: the worker writes these keys on every send and every poll, and a
/// read still in flight when the page goes away (the popup closed, the tab navigated) makes
/// Firefox log "Promise resolved after context unloaded", an error, as for any extension call
/// whose page is gone. No call is in flight between changes. The listener is added before the
/// first read: a change reported while that read is out (the live refresh the popup's opening
/// starts) is applied over it, rather than falling between the two and never shown.
pub async fn watch_local(
    keys: &'static [&'static str],
    show: impl Fn(&ext::Stored) + 'static,
) -> Result<(), ExtError> {
    // Boxed: one copy of the reading and the listener serves every page part.
    watch_boxed(keys, Box::new(show)).await
}

/// A watch: what it shows with, the values shown once read, the changes heard before that.
struct Watch {
    show: Box<dyn Fn(&ext::Stored)>,
    stored: Option<ext::Stored>,
    heard: Vec<JsValue>,
}

async fn watch_boxed(
    keys: &'static [&'static str],
    show: Box<dyn Fn(&ext::Stored)>,
) -> Result<(), ExtError> {
    let watch = Rc::new(RefCell::new(Watch {
        show,
        stored: None,
        heard: Vec::new(),
    }));
    let listening = Rc::clone(&watch);
    listen_local(move |area, changes| {
        if area != "local" {
            return;
        }
        let mut watch = listening.borrow_mut();
        let Watch {
            show,
            stored,
            heard,
        } = &mut *watch;
        match stored {
            None => heard.push(changes.clone()),
            Some(stored) => {
                if stored.apply(changes, keys) {
                    show(stored);
                }
            }
        }
    })?;
    let mut stored = ext::read(ext::Area::Local, keys).await;
    let mut watch = watch.borrow_mut();
    // In the order heard; one the read already holds sets the same new value again.
    for changes in watch.heard.drain(..) {
        stored.apply(&changes, keys);
    }
    (watch.show)(&stored);
    watch.stored = Some(stored);
    Ok(())
}

thread_local! {
    /// The page's `storage.onChanged` listeners, removed when the page goes away (below).
    static STORAGE_LISTENERS: std::cell::RefCell<Vec<ext::StorageListener>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn listen_local(on_change: impl FnMut(&str, &JsValue) + 'static) -> Result<(), ExtError> {
    let listener = ext::on_storage_changed(on_change)?;
    let first = STORAGE_LISTENERS.with(|all| {
        let mut all = all.borrow_mut();
        all.push(listener);
        all.len() == 1
    });
    if first {
        // Firefox unregisters a closing page's extension-API listeners only after it has closed
        // the page's channel to the parent process, and logs "sendRemoveListener on closed
        // conduit" for each one still registered. So they are removed while the page is still
        // whole; a page kept in the back-forward cache (`persisted`) keeps them, as it may
        // come back. Page-lifetime listener: leaked on purpose.
        let window = web_sys::window().ok_or(ExtError::Missing("window"))?;
        EventListener::new(&window, "pagehide", |event| {
            let persisted = js_sys::Reflect::get(event, &"persisted".into())
                .ok()
                .and_then(|p| p.as_bool())
                .unwrap_or(false);
            if !persisted {
                STORAGE_LISTENERS.with(|all| all.borrow_mut().clear());
            }
        })
        .forget();
    }
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
