//! `fetch` for the background worker, thin: one request with a deadline, and its answer read
//! into a [`crate::http::Answer`] with the body capped at [`MAX_RESPONSE_BYTES`] while it
//! streams in (a `Content-Length` over the cap is refused before a byte is read). What an
//! answer means is decided in `crate::connect` and `crate::sync`.
//!
//! Requests send no cookies, follow no redirect (a bearer token goes to the server the user
//! named and nowhere else) and bypass the HTTP cache (`If-None-Match` is ours to send).

use crate::http::{announced_too_large, fits_cap, Answer, NetError};
use gloo::timers::callback::Timeout;
use js_sys::{Object, Promise, Reflect, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[cfg(doc)]
use crate::http::MAX_RESPONSE_BYTES;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker).
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with(url: &str, init: &JsValue) -> Result<Promise, JsValue>;

    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchResponse) -> FetchHeaders;
    #[wasm_bindgen(method, getter)]
    fn body(this: &FetchResponse) -> Option<BodyStream>;

    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;

    type BodyStream;
    #[wasm_bindgen(method, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> StreamReader;

    type StreamReader;
    #[wasm_bindgen(method)]
    fn read(this: &StreamReader) -> Promise;
    #[wasm_bindgen(method)]
    fn cancel(this: &StreamReader) -> Promise;

    #[derive(Clone)]
    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
}

/// One request to the team server.
pub struct Request {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
    timeout_ms: u32,
}

impl Request {
    pub fn new(method: &'static str, url: String, timeout_ms: u32) -> Request {
        Request {
            method,
            url,
            headers: vec![("Accept", "application/json".into())],
            body: None,
            timeout_ms,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    /// A JSON body (already encoded).
    pub fn json(self, body: String) -> Request {
        let mut request = self.header("Content-Type", "application/json");
        request.body = Some(body);
        request
    }

    /// Sends it and reads the answer within the deadline.
    pub async fn send(self) -> Result<Answer, NetError> {
        let controller = AbortController::new();
        let timed_out = Rc::new(Cell::new(false));
        // Dropped at the end of this function, which cancels it: the deadline covers the
        // whole exchange, the body included.
        let _deadline = {
            let (controller, timed_out) = (controller.clone(), Rc::clone(&timed_out));
            Timeout::new(self.timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let failed = |error: JsValue| {
            if timed_out.get() {
                NetError::Timeout
            } else {
                NetError::Unreachable(message_of(&error))
            }
        };
        let promise = fetch_with(&self.url, &self.init(&controller)).map_err(&failed)?;
        let response: FetchResponse = JsFuture::from(promise).await.map_err(&failed)?.into();
        let headers = response.headers();
        let content_length = headers.get("content-length");
        if announced_too_large(content_length.as_deref()) {
            controller.abort();
            return Err(NetError::TooLarge);
        }
        let bytes = match response.body() {
            Some(stream) => read_capped(&stream.get_reader())
                .await
                .map_err(|e| match e {
                    Capped::TooLarge => {
                        controller.abort();
                        NetError::TooLarge
                    }
                    Capped::Failed(error) => failed(error),
                })?,
            None => Vec::new(),
        };
        let text = String::from_utf8(bytes).map_err(|_| NetError::NotText)?;
        Ok(Answer {
            status: response.status(),
            retry_after: headers.get("retry-after"),
            etag: headers.get("etag"),
            oauth_scopes: headers.get("x-oauth-scopes"),
            body: text,
        })
    }

    fn init(&self, controller: &AbortController) -> JsValue {
        let headers = Object::new();
        for (name, value) in &self.headers {
            // Setting a property on a fresh plain object cannot throw.
            let _ = Reflect::set(&headers, &(*name).into(), &value.into());
        }
        let init = Object::new();
        let body = self
            .body
            .as_deref()
            .map_or(JsValue::UNDEFINED, JsValue::from);
        for (key, value) in [
            ("method", JsValue::from(self.method)),
            ("headers", headers.into()),
            ("body", body),
            ("signal", controller.signal()),
            ("redirect", "error".into()),
            ("credentials", "omit".into()),
            ("cache", "no-store".into()),
        ] {
            let _ = Reflect::set(&init, &key.into(), &value);
        }
        init.into()
    }
}

enum Capped {
    TooLarge,
    Failed(JsValue),
}

/// Reads a body stream to the end, giving up (and cancelling the stream) past the cap.
async fn read_capped(reader: &StreamReader) -> Result<Vec<u8>, Capped> {
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(Capped::Failed)?;
        let done = Reflect::get(&chunk, &"done".into()).map_err(Capped::Failed)?;
        if done.is_truthy() {
            return Ok(bytes);
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(Capped::Failed)?
            .into();
        let len = value.length() as usize;
        if !fits_cap(bytes.len(), len) {
            // Nobody awaits the cancellation: the answer is refused either way.
            let _ = reader.cancel();
            return Err(Capped::TooLarge);
        }
        let start = bytes.len();
        bytes.resize(start + len, 0);
        value.copy_to(&mut bytes[start..]);
    }
}

fn message_of(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "network error".into())
}
