//! The browser shell: everything that touches `chrome.*` / `browser.*` or the DOM, compiled
//! only for wasm32. Each extension context calls its own entry point from its JS loader in
//! `extension/` (`start_background` + `handle_event`, `start_popup`, `start_options`).
//!
//! build.sh builds this crate twice, once per context (features `worker` and `pages`), so a
//! context's module holds only what its entry points reach. In such a build the other
//! context's code is unused by design, hence the `dead_code` allowance there (the full build,
//! which tests and clippy use, still reports dead code).
#![cfg_attr(not(all(feature = "worker", feature = "pages")), allow(dead_code))]

mod access;
mod background;
mod combobox;
mod digest;
mod dom;
mod end_of_day;
mod ext;
mod inline;
mod live;
mod mirror;
mod net;
mod options;
mod options_mirror;
mod options_team;
mod popup;
mod popup_team;
mod reminder;
mod secret;
mod sync;
mod timeline;
mod trackers;
mod zone;

/// How values cross the JS boundary, for the browser tests (`tests/wasm_roundtrip.rs`).
pub use ext::{from_js, to_js, ExtError};

use wasm_bindgen::prelude::*;

/// The background worker's start, once per worker start, before any event.
#[cfg(feature = "worker")]
#[wasm_bindgen]
pub async fn start_background() -> Result<(), JsError> {
    background::start().await.map_err(JsError::from)
}

/// One background event: `kind` is "installed", "startup", "storage_changed", "alarm" or
/// "message"; for "message" the resolved value is the reply.
#[cfg(feature = "worker")]
#[wasm_bindgen]
pub async fn handle_event(kind: String, payload: JsValue) -> Result<JsValue, JsError> {
    background::handle_event(&kind, payload)
        .await
        .map_err(JsError::from)
}

/// Fills and wires the toolbar popup (`extension/popup.html`).
#[cfg(feature = "pages")]
#[wasm_bindgen]
pub async fn start_popup() -> Result<(), JsError> {
    popup::start().await.map_err(JsError::from)
}

/// Fills and wires the options page (`extension/options.html`).
#[cfg(feature = "pages")]
#[wasm_bindgen]
pub async fn start_options() -> Result<(), JsError> {
    options::start().await.map_err(JsError::from)
}
