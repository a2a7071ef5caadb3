//! Where the bearer tokens live: IndexedDB of the extension's own origin, through the
//! loader's `standinSecrets` (`extension/background.js`), so only the background worker reads
//! them. Content scripts run in the page's origin and cannot open that database in any
//! browser, whereas every `storage` area but `session` is open to them (Firefox has no
//! `setAccessLevel` for `storage.local`). docs/architecture.md, "The token has a home of its
//! own". One entry per token: the team server's ([`TEAM`]) and each status-mirror account's
//! (named by `mirror::Service::as_str`).

use super::ext::{api_error, ExtError};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The team server's token.
pub const TEAM: &str = "token";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = standinSecrets, js_name = get)]
    fn get_secret(name: &str) -> Promise;
    #[wasm_bindgen(js_namespace = standinSecrets, js_name = set)]
    fn put_secret(name: &str, value: &str) -> Promise;
    #[wasm_bindgen(js_namespace = standinSecrets, js_name = forget)]
    fn delete_secret(name: &str) -> Promise;
}

async fn settled(promise: Promise) -> Result<JsValue, ExtError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| api_error("indexedDB", &e))
}

/// The stored token `name`, if there is one.
pub async fn token(name: &str) -> Result<Option<String>, ExtError> {
    Ok(settled(get_secret(name)).await?.as_string())
}

pub async fn set_token(name: &str, token: &str) -> Result<(), ExtError> {
    settled(put_secret(name, token)).await.map(drop)
}

pub async fn forget_token(name: &str) -> Result<(), ExtError> {
    settled(delete_secret(name)).await.map(drop)
}
