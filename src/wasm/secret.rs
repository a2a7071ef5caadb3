//! Where the team server's bearer token lives: IndexedDB of the extension's own origin,
//! through the loader's `standinToken` (`extension/background.js`), so only the background
//! worker reads it. Content scripts run in the page's origin and cannot open that database in
//! any browser, whereas every `storage` area but `session` is open to them (Firefox has no
//! `setAccessLevel` for `storage.local`). docs/architecture.md, "The token has a home of its
//! own".

use super::ext::{api_error, ExtError};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = standinToken, js_name = get)]
    fn get_token() -> Promise;
    #[wasm_bindgen(js_namespace = standinToken, js_name = set)]
    fn put_token(token: &str) -> Promise;
    #[wasm_bindgen(js_namespace = standinToken, js_name = forget)]
    fn delete_token() -> Promise;
}

async fn settled(promise: Promise) -> Result<JsValue, ExtError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| api_error("indexedDB", &e))
}

/// The stored token, if this browser is connected.
pub async fn token() -> Result<Option<String>, ExtError> {
    Ok(settled(get_token()).await?.as_string())
}

pub async fn set_token(token: &str) -> Result<(), ExtError> {
    settled(put_token(token)).await.map(drop)
}

pub async fn forget_token() -> Result<(), ExtError> {
    settled(delete_token()).await.map(drop)
}
