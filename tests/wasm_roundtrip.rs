//! The wire model crossing the JS boundary as the extension does it (`standin::encode` text
//! out, `JSON.stringify` and `standin::decode` in), in a real browser: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! -p standin --test wasm_roundtrip`.
#![cfg(target_arch = "wasm32")]

use standin::decode::from_js;
use standin::encode::to_json;
use standin::model::{Declaration, DeclaredState, ItemState, Settings, Status, WorkItem};
use standin::time::Timestamp;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn sample() -> DeclaredState {
    DeclaredState {
        declaration: Declaration {
            status: Status::Ooo,
            headline: "On leave — ask Bob 🌴".into(),
            emoji: Some("🌴".into()),
            note: "Line one\nline two".into(),
            items: vec![WorkItem {
                url: "https://gitlab.com/g/sub/p/-/merge_requests/3".into(),
                canonical_ref: "gitlab.com/g/sub/p/-/merge_requests/3".into(),
                title: "<b>not html</b>".into(),
                note: String::new(),
                state: ItemState::Waiting,
                handoff_to: Some("bob".into()),
            }],
            blockers: String::new(),
            cover: Some("bob".into()),
            back_at: Some(Timestamp(1_796_000_000_000)),
            expires_at: Some(Timestamp(1_796_000_060_500)),
            timezone: "Asia/Kolkata".into(),
        },
        declared_at: Timestamp(1_795_000_000_000),
        version: 7,
    }
}

#[wasm_bindgen_test]
fn declared_state_round_trips_through_js_values() {
    let state = sample();
    // Out as the extension writes values (`encode` text, parsed by the browser)...
    let js = js_sys::JSON::parse(&to_json(&state)).unwrap();
    // ...what JS (storage, content scripts) sees: plain objects and RFC 3339 strings...
    let decl = js_sys::Reflect::get(&js, &JsValue::from_str("declaration")).unwrap();
    let back_at = js_sys::Reflect::get(&decl, &JsValue::from_str("back_at")).unwrap();
    assert_eq!(back_at.as_string().as_deref(), Some("2026-11-30T00:53:20Z"));
    let status = js_sys::Reflect::get(&decl, &JsValue::from_str("status")).unwrap();
    assert_eq!(status.as_string().as_deref(), Some("ooo"));
    // ...and back in as the extension reads them.
    let back: DeclaredState = from_js(&js).unwrap();
    assert_eq!(back, state);
}

#[wasm_bindgen_test]
fn wrong_types_from_js_are_rejected_not_trusted() {
    for (bad, path) in [
        (
            r#"{"status":"offline","headline":3,"timezone":"UTC"}"#,
            "headline",
        ),
        (
            r#"{"status":"asleep","headline":"x","timezone":"UTC"}"#,
            "status",
        ),
        (r#"{"status":"offline","headline":"x"}"#, "timezone"),
        (
            r#"{"status":"offline","headline":"x","timezone":"UTC","back_at":"soon"}"#,
            "back_at",
        ),
        (
            r#"{"status":"offline","headline":"x","timezone":"UTC","items":[{"url":1,"state":"done"}]}"#,
            "items[0].url",
        ),
    ] {
        let js = js_sys::JSON::parse(bad).unwrap();
        assert_eq!(from_js::<Declaration>(&js).unwrap_err().path, path, "{bad}");
    }
    assert!(from_js::<Declaration>(&JsValue::UNDEFINED).is_err());
    // Only the fields a type names are read, so keys written by a newer version are ignored
    // rather than refused: stored settings stay readable after a downgrade.
    let newer = js_sys::JSON::parse(r#"{"display_name":"A","from_the_future":true}"#).unwrap();
    let settings: Settings = from_js(&newer).unwrap();
    assert_eq!(settings.display_name, "A");
}

/// The browser build counts grapheme clusters with `Intl.Segmenter` and lowercases with
/// JavaScript (`src/text.rs`); the same corpus as the native unit tests, so the server and the
/// extension agree on every limit.
#[wasm_bindgen_test]
fn browser_text_rules_match_the_native_build() {
    use standin::text::{grapheme_count, grapheme_prefix_len, lowercase};
    assert_eq!(lowercase("ÉMILE Ödön ΟΔΟΣ"), "émile ödön οδος");
    let corpus: &[(&str, usize)] = &include!("text_corpus.rs.in");
    for &(text, clusters) in corpus {
        assert_eq!(grapheme_count(text), clusters, "{text:?}");
    }
    let s = "👨‍👩‍👧‍👦e\u{301}z";
    assert_eq!(&s[..grapheme_prefix_len(s, 2)], "👨‍👩‍👧‍👦e\u{301}");
    assert_eq!(grapheme_prefix_len(s, 9), s.len());
}
