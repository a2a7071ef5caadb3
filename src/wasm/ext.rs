//! The one module that touches the extension APIs. `browser` (Firefox) or `chrome` (Chrome,
//! whose MV3 APIs return promises too) is picked once; every call goes through [`call`], and a
//! thrown or rejected `JsValue` becomes a typed [`ExtError`] here, nowhere else.
//!
//! Rust values cross as plain JSON-like objects through serde-wasm-bindgen ([`to_js`],
//! [`from_js`]): maps as objects, integers as numbers (within 2^53), absent options as `null`,
//! exactly what `serde_json` writes and the browser stores. Reading ignores fields a type does
//! not name, so values a newer version stored (settings and drafts roam between browsers) stay
//! readable, and an error names the field's path (docs/architecture.md).

use crate::badge::ToolbarBadge;
use crate::wire::ReadError;
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Debug, thiserror::Error)]
pub enum ExtError {
    #[error("this browser lacks the extension API {0}")]
    Missing(&'static str),
    #[error("{api} failed: {message}")]
    Api { api: &'static str, message: String },
    #[error("unreadable {what}: {message}")]
    Decode { what: String, message: String },
    #[error("could not write a value: {0}")]
    Encode(String),
}

/// The two storage areas StandIn uses (see `crate::store` for what lives where).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Local,
    Sync,
}

#[derive(Clone, Copy)]
enum StorageOp {
    Get,
    Set,
    Remove,
}

impl Area {
    fn api(self, op: StorageOp) -> &'static str {
        match (self, op) {
            (Area::Local, StorageOp::Get) => "storage.local.get",
            (Area::Local, StorageOp::Set) => "storage.local.set",
            (Area::Local, StorageOp::Remove) => "storage.local.remove",
            (Area::Sync, StorageOp::Get) => "storage.sync.get",
            (Area::Sync, StorageOp::Set) => "storage.sync.set",
            (Area::Sync, StorageOp::Remove) => "storage.sync.remove",
        }
    }
}

/// `browser` where it exists (Firefox), else `chrome`.
fn namespace() -> Result<JsValue, ExtError> {
    thread_local! {
        static NAMESPACE: JsValue = ["browser", "chrome"]
            .into_iter()
            .map(|name| Reflect::get(&js_sys::global(), &name.into()).unwrap_or_default())
            .find(JsValue::is_object)
            .unwrap_or_default();
    }
    let ns = NAMESPACE.with(JsValue::clone);
    if ns.is_object() {
        Ok(ns)
    } else {
        Err(ExtError::Missing("browser / chrome"))
    }
}

/// The object holding the member at `path` ("storage.local.get"), and the member itself.
fn lookup(path: &'static str) -> Result<(JsValue, JsValue), ExtError> {
    let mut owner = namespace()?;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let member = Reflect::get(&owner, &part.into()).map_err(|e| api_error(path, &e))?;
        if member.is_undefined() {
            return Err(ExtError::Missing(path));
        }
        if parts.peek().is_none() {
            return Ok((owner, member));
        }
        owner = member;
    }
    Err(ExtError::Missing(path))
}

/// Calls `path` with `args` now, synchronously, and returns what it returned (often a
/// promise). For calls that must happen inside a user gesture (`permissions.request`).
fn apply(path: &'static str, args: &[JsValue]) -> Result<JsValue, ExtError> {
    let (owner, member) = lookup(path)?;
    let function: Function = member.dyn_into().map_err(|_| ExtError::Missing(path))?;
    let args: Array = args.iter().collect();
    function
        .apply(&owner, &args)
        .map_err(|e| api_error(path, &e))
}

/// Calls `path` with `args` and awaits the promise it returns (if any).
async fn call(path: &'static str, args: &[JsValue]) -> Result<JsValue, ExtError> {
    let result = apply(path, args)?;
    match result.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|e| api_error(path, &e)),
        Err(value) => Ok(value),
    }
}

pub fn api_error(api: &'static str, error: &JsValue) -> ExtError {
    let message = Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"));
    ExtError::Api { api, message }
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        // Setting a property on a fresh plain object cannot throw.
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// A value ready to store (see [`set`]). A failure to convert it is kept and reported by the
/// write, so callers handle one error.
pub struct Encoded(Result<JsValue, ExtError>);

/// A value as storage keeps it.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Encoded {
    Encoded(to_js(value))
}

/// A Rust value as a plain JS value (for storage, a message or a reply).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, ExtError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ExtError::Encode(e.to_string()))
}

/// A Rust value as JSON text (a request body): the plain JS value `to_js` makes, through
/// `JSON.stringify`, so serde_json's writer stays out of the worker's module.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ExtError> {
    js_sys::JSON::stringify(&to_js(value)?)
        .map(String::from)
        .map_err(|e| api_error("JSON.stringify", &e))
}

/// A plain JS value as a Rust value; `what` names it in the error, with the field's path.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, ExtError> {
    crate::wire::from_js(value.clone()).map_err(|e| decode_error(what, e))
}

/// Not generic, so `from_js` adds no copy of it per type.
fn decode_error(what: &str, e: ReadError) -> ExtError {
    ExtError::Decode {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// Reads `keys` of `area` in one `storage.<area>.get`. Not generic: one async copy serves
/// every stored type, and only the sync [`Stored`] accessors are per type.
pub async fn read(area: Area, keys: &[&str]) -> Stored {
    let keys: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    Stored(call(area.api(StorageOp::Get), &[keys.into()]).await)
}

/// What one [`read`] found. A failed call is kept rather than returned, so that each key
/// reports it as its own read would and every caller keeps its policy (fail, `None`, default).
pub struct Stored(Result<JsValue, ExtError>);

impl Stored {
    /// The value stored under `key`, or `None` when there is none.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ExtError> {
        self.value(key)?
            .map(|value| from_js(&value, key))
            .transpose()
    }

    /// Whether anything is stored under `key` (readable or not).
    pub fn has(&self, key: &str) -> bool {
        matches!(self.value(key), Ok(Some(_)))
    }

    /// The stored value, or its default when absent or unreadable (another version's shape,
    /// a corrupt write): the caller then shows or does less, never fails. Logged, not hidden.
    pub fn or_default<T: DeserializeOwned + Default>(&self, key: &str) -> T {
        self.get(key)
            .unwrap_or_else(|e| {
                ignored(key, &e);
                None
            })
            .unwrap_or_default()
    }

    /// Takes the new values a `storage.onChanged` report (`changes`) carries for `keys`: a
    /// removed key has none. Whether one of `keys` was reported (Firefox may report one whose
    /// value did not change). After a failed read, the reported keys are known from here on.
    pub fn apply(&mut self, changes: &JsValue, keys: &[&str]) -> bool {
        let mut reported = false;
        for key in keys {
            let change = Reflect::get(changes, &(*key).into()).unwrap_or_default();
            if change.is_undefined() {
                continue;
            }
            if self.0.is_err() {
                self.0 = Ok(Object::new().into());
            }
            if let Ok(values) = &self.0 {
                let value = Reflect::get(&change, &"newValue".into()).unwrap_or_default();
                // Setting a property of the plain object `get` returned cannot throw.
                let _ = Reflect::set(values, &(*key).into(), &value);
            }
            reported = true;
        }
        reported
    }

    fn value(&self, key: &str) -> Result<Option<JsValue>, ExtError> {
        // A failed call fails each key with a copy of its error.
        let found = self.0.as_ref().map_err(ExtError::clone)?;
        let value = Reflect::get(found, &key.into()).map_err(|e| api_error("storage get", &e))?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }
}

/// Not generic, so `or_default` adds no copy of it per type.
fn ignored(key: &str, error: &ExtError) {
    web_sys::console::warn_1(&format!("StandIn: ignoring stored {key}: {error}").into());
}

/// Stores several keys in one write (values from [`encode`]).
pub async fn set(area: Area, entries: &[(&str, &Encoded)]) -> Result<(), ExtError> {
    let mut values = Vec::with_capacity(entries.len());
    for (key, Encoded(value)) in entries {
        values.push((*key, value.clone()?));
    }
    call(area.api(StorageOp::Set), &[object(&values)])
        .await
        .map(drop)
}

pub async fn remove(area: Area, keys: &[&str]) -> Result<(), ExtError> {
    let keys: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    call(area.api(StorageOp::Remove), &[keys.into()])
        .await
        .map(drop)
}

thread_local! {
    /// The storage keys some task is reading, changing and writing ([`KeyLock`]).
    static WRITING: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Holds one storage key for a read-change-write. The worker's tasks (a declaration, a send
/// coming back, a refresh) interleave at every await, and two read-change-writes of one key
/// at once would lose one change; each takes the key's lock first. Dropping it releases.
pub struct KeyLock(&'static str);

impl KeyLock {
    pub async fn take(key: &'static str) -> KeyLock {
        let taken = || {
            WRITING.with(|w| {
                let mut w = w.borrow_mut();
                let busy = w.contains(&key);
                if !busy {
                    w.push(key);
                }
                busy
            })
        };
        while taken() {
            gloo::timers::future::sleep(std::time::Duration::from_millis(5)).await;
        }
        KeyLock(key)
    }
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        WRITING.with(|w| w.borrow_mut().retain(|k| *k != self.0));
    }
}

/// Sends a message to the background worker and decodes its reply: a failure when it has an
/// `error` member (as the JS loader's own failure reply has), else a success.
pub async fn send_message<Req: Serialize, Rep: DeserializeOwned, Fail: DeserializeOwned>(
    request: &Req,
) -> Result<Result<Rep, Fail>, ExtError> {
    let reply = call("runtime.sendMessage", &[to_js(request)?]).await?;
    // Telling the two apart here, not with a serde `untagged` enum, keeps serde's buffering
    // deserializer out of the wasm module.
    if Reflect::has(&reply, &"error".into()).unwrap_or(false) {
        from_js(&reply, "error reply").map(Err)
    } else {
        from_js(&reply, "reply").map(Ok)
    }
}

/// Closes `storage.local` and `storage.sync` to content scripts where the browser can
/// (Chrome); Firefox has `setAccessLevel` for `session` only, which is why nothing secret is
/// kept in either.
pub async fn close_storage_to_content_scripts() -> Result<(), ExtError> {
    for api in [
        "storage.local.setAccessLevel",
        "storage.sync.setAccessLevel",
    ] {
        let level = object(&[("accessLevel", "TRUSTED_CONTEXTS".into())]);
        match call(api, &[level]).await {
            Err(ExtError::Missing(_)) => {}
            other => other.map(drop)?,
        }
    }
    Ok(())
}

/// The ids of every open tab (`tabs.query`: ids need no `tabs` permission).
pub async fn all_tab_ids() -> Result<Vec<i32>, ExtError> {
    let tabs: Array = call("tabs.query", &[Object::new().into()])
        .await?
        .dyn_into()
        .map_err(|_| ExtError::Missing("tabs.query"))?;
    Ok(tabs
        .iter()
        .filter_map(|tab| Reflect::get(&tab, &"id".into()).ok()?.as_f64())
        .map(|id| id as i32)
        .collect())
}

/// Sends `message` to the content scripts of tab `tab_id`.
pub async fn send_to_tab<T: Serialize + ?Sized>(tab_id: i32, message: &T) -> Result<(), ExtError> {
    call("tabs.sendMessage", &[tab_id.into(), to_js(message)?])
        .await
        .map(drop)
}

/// This extension's id (`runtime.id`).
pub fn runtime_id() -> Result<String, ExtError> {
    let (_, id) = lookup("runtime.id")?;
    id.as_string().ok_or(ExtError::Missing("runtime.id"))
}

/// The URL every page of this extension starts with (`runtime.getURL("")`).
pub fn own_base_url() -> Result<String, ExtError> {
    let (owner, member) = lookup("runtime.getURL")?;
    let get_url: Function = member
        .dyn_into()
        .map_err(|_| ExtError::Missing("runtime.getURL"))?;
    get_url
        .call1(&owner, &"".into())
        .map_err(|e| api_error("runtime.getURL", &e))?
        .as_string()
        .ok_or(ExtError::Missing("runtime.getURL"))
}

/// The tab the user is looking at, as far as the `activeTab` grant lets us see it.
pub struct Tab {
    pub url: Option<String>,
    pub title: Option<String>,
}

pub async fn active_tab() -> Result<Option<Tab>, ExtError> {
    let query = object(&[("active", JsValue::TRUE), ("currentWindow", JsValue::TRUE)]);
    let tabs: Array = call("tabs.query", &[query])
        .await?
        .dyn_into()
        .map_err(|_| ExtError::Missing("tabs.query"))?;
    let tab = tabs.get(0);
    if tab.is_undefined() {
        return Ok(None);
    }
    let field = |name: &str| {
        Reflect::get(&tab, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    Ok(Some(Tab {
        url: field("url"),
        title: field("title"),
    }))
}

/// Shows `badge` on the toolbar button (text, colour and tooltip).
pub async fn set_badge(badge: &ToolbarBadge) -> Result<(), ExtError> {
    // The text goes last: whoever sees the new text (the user, a test) sees its colour and
    // tooltip with it, never the previous state's.
    call(
        "action.setTitle",
        &[object(&[("title", badge.title.as_str().into())])],
    )
    .await?;
    call(
        "action.setBadgeBackgroundColor",
        &[object(&[("color", badge.color.into())])],
    )
    .await?;
    call(
        "action.setBadgeText",
        &[object(&[("text", badge.text.as_str().into())])],
    )
    .await
    .map(drop)
}

/// Schedules the one-shot alarm `name` at `when` (ms since the epoch), replacing any other.
pub async fn create_alarm(name: &str, when: i64) -> Result<(), ExtError> {
    let info = object(&[("when", JsValue::from_f64(when as f64))]);
    call("alarms.create", &[name.into(), info]).await.map(drop)
}

pub async fn clear_alarm(name: &str) -> Result<(), ExtError> {
    call("alarms.clear", &[name.into()]).await.map(drop)
}

fn string_array(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn origins_arg(patterns: &[String]) -> JsValue {
    object(&[("origins", string_array(patterns))])
}

/// Asks the user for host permissions on `patterns`. The browser call is made before this
/// returns, so calling it from a click handler keeps the user gesture it requires (Firefox
/// checks it synchronously); the future says whether the user granted.
pub fn request_origins(
    patterns: &[String],
) -> Result<impl std::future::Future<Output = Result<bool, ExtError>>, ExtError> {
    let pending = apply("permissions.request", &[origins_arg(patterns)])?;
    Ok(async move {
        let granted = match pending.dyn_into::<Promise>() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map_err(|e| api_error("permissions.request", &e))?,
            Err(value) => value,
        };
        Ok(granted.as_bool().unwrap_or(false))
    })
}

/// Whether the extension holds host permissions for all of `patterns`.
pub async fn contains_origins(patterns: &[String]) -> Result<bool, ExtError> {
    let held = call("permissions.contains", &[origins_arg(patterns)]).await?;
    Ok(held.as_bool().unwrap_or(false))
}

/// Gives host permissions back (the user removed a self-hosted tracker).
pub async fn remove_origins(patterns: &[String]) -> Result<bool, ExtError> {
    let removed = call("permissions.remove", &[origins_arg(patterns)]).await?;
    Ok(removed.as_bool().unwrap_or(false))
}

/// The match patterns of the registered content script `id`, or `None` when it is not
/// registered.
pub async fn registered_script_matches(id: &str) -> Result<Option<Vec<String>>, ExtError> {
    let filter = object(&[("ids", string_array(&[id.to_owned()]))]);
    let scripts: Array = call("scripting.getRegisteredContentScripts", &[filter])
        .await?
        .dyn_into()
        .map_err(|_| ExtError::Missing("scripting.getRegisteredContentScripts"))?;
    let script = scripts.get(0);
    if script.is_undefined() {
        return Ok(None);
    }
    let matches = Reflect::get(&script, &"matches".into()).unwrap_or_default();
    let mut matches: Vec<String> = Array::from(&matches)
        .iter()
        .filter_map(|m| m.as_string())
        .collect();
    matches.sort_unstable();
    Ok(Some(matches))
}

/// Registers the content script `js` as `id` on `matches` at document idle, kept across
/// browser sessions.
pub async fn register_content_script(
    id: &str,
    matches: &[String],
    js: &str,
) -> Result<(), ExtError> {
    let script = object(&[
        ("id", id.into()),
        ("matches", string_array(matches)),
        ("js", string_array(&[js.to_owned()])),
        // As the manifest's content script (extension/manifest.mjs says why).
        ("runAt", "document_end".into()),
        ("persistAcrossSessions", JsValue::TRUE),
    ]);
    let scripts: Array = std::iter::once(script).collect();
    call("scripting.registerContentScripts", &[scripts.into()])
        .await
        .map(drop)
}

pub async fn unregister_content_script(id: &str) -> Result<(), ExtError> {
    let filter = object(&[("ids", string_array(&[id.to_owned()]))]);
    call("scripting.unregisterContentScripts", &[filter])
        .await
        .map(drop)
}

/// Creates the repeating alarm `name` unless it exists: re-creating it at every worker start
/// would push its next tick back each time a wake-up came sooner than the period.
pub async fn ensure_periodic_alarm(name: &str, period_minutes: f64) -> Result<(), ExtError> {
    let existing = call("alarms.get", &[name.into()]).await?;
    if existing.is_object() {
        return Ok(());
    }
    let period = JsValue::from_f64(period_minutes);
    let info = object(&[
        ("delayInMinutes", period.clone()),
        ("periodInMinutes", period),
    ]);
    call("alarms.create", &[name.into(), info]).await.map(drop)
}

/// A `storage.onChanged` listener of an extension page; removed when dropped.
#[must_use = "the listener is removed when this is dropped"]
pub struct StorageListener {
    closure: Closure<dyn FnMut(JsValue, JsValue)>,
}

/// Calls `on_change(area, changes)` after every storage change, `changes` as the browser
/// reports them (see [`Stored::apply`]).
pub fn on_storage_changed(
    mut on_change: impl FnMut(&str, &JsValue) + 'static,
) -> Result<StorageListener, ExtError> {
    let closure =
        Closure::<dyn FnMut(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
            on_change(&area.as_string().unwrap_or_default(), &changes);
        });
    apply("storage.onChanged.addListener", &[closure.as_ref().clone()])?;
    Ok(StorageListener { closure })
}

impl Drop for StorageListener {
    fn drop(&mut self) {
        // Nothing to do if it fails: the page is going away with its listeners.
        let _ = apply(
            "storage.onChanged.removeListener",
            &[self.closure.as_ref().clone()],
        );
    }
}

/// Whether notifications may carry buttons: Chrome's do (two at most); Firefox's cannot, and
/// Firefox is the browser with `runtime.getBrowserInfo`.
pub fn notification_buttons_supported() -> bool {
    lookup("runtime.getBrowserInfo").is_err()
}

/// Shows (or replaces) the basic notification `id` with up to two buttons where the browser
/// supports them (see [`notification_buttons_supported`]).
pub async fn notify(
    id: &str,
    title: &str,
    message: &str,
    buttons: &[&str],
) -> Result<(), ExtError> {
    let mut options = vec![
        ("type", JsValue::from_str("basic")),
        ("iconUrl", JsValue::from_str("icons/icon-128.png")),
        ("title", title.into()),
        ("message", message.into()),
    ];
    if !buttons.is_empty() && notification_buttons_supported() {
        let list: Array = buttons
            .iter()
            .map(|b| object(&[("title", (*b).into())]))
            .collect();
        options.push(("buttons", list.into()));
        // The reminder waits for an answer rather than fading after a few seconds.
        options.push(("requireInteraction", JsValue::TRUE));
    }
    call("notifications.create", &[id.into(), object(&options)])
        .await
        .map(drop)
}

pub async fn clear_notification(id: &str) -> Result<(), ExtError> {
    call("notifications.clear", &[id.into()]).await.map(drop)
}

/// Opens the toolbar popup (`action.openPopup`); fails where the browser refuses it (no
/// focused window, no user gesture in Firefox, Chrome before 127).
pub async fn open_popup() -> Result<(), ExtError> {
    call("action.openPopup", &[]).await.map(drop)
}

/// Opens an extension page in a small popup window, where the toolbar popup cannot be opened.
pub async fn open_window(page: &str, width: u32, height: u32) -> Result<(), ExtError> {
    let info = object(&[
        ("url", page.into()),
        ("type", "popup".into()),
        ("width", width.into()),
        ("height", height.into()),
    ]);
    call("windows.create", &[info]).await.map(drop)
}

/// Schedules the one-shot alarm `name` to fire `delay_ms` from now, replacing any other.
/// Relative, so the browser measures the wait on its own clock: the same instant as an
/// absolute `when` in use, and still right when tests shift the worker's `Date.now`.
pub async fn create_alarm_in(name: &str, delay_ms: i64) -> Result<(), ExtError> {
    let minutes = delay_ms.max(0) as f64 / 60_000.0;
    let info = object(&[("delayInMinutes", JsValue::from_f64(minutes))]);
    call("alarms.create", &[name.into(), info]).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::KeyLock;
    use gloo::timers::future::sleep;
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen_futures::spawn_local;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    /// Three tasks read a value, wait (as a storage call does) and write it plus one: with the
    /// key's lock none of the increments is lost, and another key does not wait for them.
    #[wasm_bindgen_test]
    async fn a_key_lock_serialises_read_change_writes() {
        let stored = Rc::new(Cell::new(0));
        for _ in 0..3 {
            let stored = stored.clone();
            spawn_local(async move {
                let _lock = KeyLock::take("counter").await;
                let read = stored.get();
                sleep(Duration::from_millis(30)).await;
                stored.set(read + 1);
            });
        }
        sleep(Duration::from_millis(1)).await;
        {
            let _other = KeyLock::take("other").await;
            assert!(stored.get() < 3, "another key's lock waited for this one's");
        }
        // Three 30 ms holds one after another; without the lock all three would read 0 and
        // the value would end at 1.
        sleep(Duration::from_millis(400)).await;
        assert_eq!(stored.get(), 3);
    }
}
