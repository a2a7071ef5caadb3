//! Values crossing the JS boundary as the extension moves them (serde-wasm-bindgen out and in,
//! `standin::wasm::{to_js, from_js}`), in a real browser:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p standin
//! --test wasm_roundtrip` (add `-- --nocapture` for the measurements' figures).
#![cfg(target_arch = "wasm32")]

mod stored;

use serde::de::DeserializeOwned;
use standin::api::{MemberState, Roster, TeamInfo, TeamStates};
use standin::model::{Declaration, DeclaredState, Member, Settings};
use standin::sites::Descriptor;
use standin::team::TeamCache;
use standin::wasm::{from_js, to_js};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parse(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

/// Reads each fixture as storage hands it over (a JS value) and writes the value it expects
/// back: the same JSON as the previous build stored.
struct Browser;

impl stored::Check for Browser {
    fn check<T>(&mut self, file: &str, json: &str, expected: T)
    where
        T: DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let read: T = from_js(&parse(json), file).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(read, expected, "{file}");
    }
}

#[wasm_bindgen_test]
fn values_stored_by_the_previous_build_read_unchanged() {
    stored::each(&mut Browser);
}

#[wasm_bindgen_test]
fn values_from_a_newer_version_keep_loading() {
    stored::each_newer(&mut Browser);
}

#[wasm_bindgen_test]
fn values_are_written_as_the_previous_build_wrote_them() {
    let state = stored::state();
    let js = to_js(&state).unwrap();
    assert_eq!(
        stringify(&js),
        include_str!("fixtures/storage/state.json").trim()
    );
    let team = to_js(&stored::team()).unwrap();
    assert_eq!(
        stringify(&team),
        include_str!("fixtures/storage/team.json").trim()
    );
    let outbox = to_js(&stored::outbox_conflict()).unwrap();
    assert_eq!(
        stringify(&outbox),
        include_str!("fixtures/storage/outbox_conflict.json").trim()
    );
    // Plain objects and RFC 3339 strings, as JS (storage, content scripts) sees them.
    let decl = js_sys::Reflect::get(&js, &"declaration".into()).unwrap();
    let back_at = js_sys::Reflect::get(&decl, &"back_at".into()).unwrap();
    assert_eq!(back_at.as_string().as_deref(), Some("2026-11-30T00:53:20Z"));
    // Above 2^53 a number would not survive JavaScript: refused rather than rounded.
    let too_big = MemberState {
        version: 1 << 53,
        ..stored::member_state()
    };
    assert!(to_js(&too_big).is_err());
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
        let e = from_js::<Declaration>(&parse(bad), "declaration").unwrap_err();
        let prefix = format!("unreadable declaration: {path}: ");
        assert!(e.to_string().starts_with(&prefix), "{bad}: {e}");
    }
    assert!(from_js::<Declaration>(&JsValue::UNDEFINED, "declaration").is_err());
    let state = r#"{"declaration":{"status":"ooo","headline":"x","timezone":"UTC"}}"#;
    let e = from_js::<DeclaredState>(&parse(state), "state").unwrap_err();
    assert!(
        e.to_string().starts_with("unreadable state: declared_at: "),
        "{e}"
    );
    let settings: Settings = from_js(&parse(r#"{"display_name":"A"}"#), "settings").unwrap();
    assert_eq!(settings.display_name, "A");
}

/// The size limits count compact JSON (`wire::json_len`): in the browser `JSON.stringify`
/// writes it, and it must be as long as serde_json's, which the server and native tests count.
#[wasm_bindgen_test]
fn json_lengths_match_serde_json() {
    fn same<T: serde::Serialize>(value: &T) {
        let native = serde_json::to_vec(value).unwrap().len();
        assert_eq!(standin::wire::json_len(value), Some(native));
    }
    let mut state = stored::state();
    state.declaration.headline = "\"quoted\" \\ tab\t nl\n \u{1} \u{7f} é 😀 \u{2028} </x>".into();
    same(&state);
    same(&state.declaration);
    same(&stored::team());
    same(&stored::outbox_conflict());
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

/// Median milliseconds of `runs` calls of `f`.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = js_sys::Date::now();
            f();
            js_sys::Date::now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// Text read with serde_json against the same text given to `JSON.parse` and read with
/// serde-wasm-bindgen; prints both, for docs/architecture.md ("Reading server bodies").
fn compare<T: DeserializeOwned>(what: &str, text: &str) -> (f64, f64) {
    let runs = 15;
    let text_ms = median_ms(runs, || {
        standin::wire::from_str::<T>(text).unwrap();
    });
    let js_ms = median_ms(runs, || {
        from_js::<T>(&parse(text), what).unwrap();
    });
    console_log!(
        "{what}: {} KiB, serde_json {text_ms} ms, JSON.parse + serde-wasm-bindgen {js_ms} ms",
        text.len() / 1024
    );
    (text_ms, js_ms)
}

/// The team cache of a 1,000-member team as the worker fetches it: `GET /v1/team/states` and
/// `GET /v1/team`.
#[wasm_bindgen_test]
fn reading_a_large_team_both_ways() {
    let team = TeamInfo {
        id: "t-1".into(),
        name: "Follow the sun".into(),
    };
    let ids = (0..1000).map(|i| format!("m-{i:04}"));
    let states = TeamStates {
        team: team.clone(),
        cursor: 123_456,
        states: ids
            .clone()
            .map(|id| MemberState {
                member_id: id,
                ..stored::member_state()
            })
            .collect(),
    };
    let roster = Roster {
        team,
        members: ids
            .map(|id| Member {
                id,
                ..stored::connection().member
            })
            .collect(),
    };
    let states = serde_json::to_string(&states).unwrap();
    let roster = serde_json::to_string(&roster).unwrap();
    let (a, b) = compare::<TeamStates>("team states", &states);
    let (c, d) = compare::<Roster>("roster", &roster);
    console_log!(
        "team cache: serde_json {} ms, JSON.parse + serde-wasm-bindgen {} ms",
        a + c,
        b + d
    );
    // The cache as the worker keeps it in storage, read from the JS value storage returns.
    let mut cache = TeamCache::default();
    cache.replace(
        serde_json::from_str(&states).unwrap(),
        serde_json::from_str::<Roster>(&roster).unwrap().members,
    );
    let stored = to_js(&cache).unwrap();
    let js_ms = median_ms(15, || {
        from_js::<TeamCache>(&stored, "team").unwrap();
    });
    let text_ms = median_ms(15, || {
        standin::wire::from_str::<TeamCache>(&stringify(&stored)).unwrap();
    });
    console_log!("stored team cache: serde-wasm-bindgen {js_ms} ms, JSON.stringify + serde_json {text_ms} ms");
}

/// A heavy page's descriptors (the shim sends them as one JSON string).
#[wasm_bindgen_test]
fn reading_many_descriptors_both_ways() {
    let descriptors: Vec<Descriptor> = (0..3000)
        .map(|i| Descriptor {
            rule: "github.author".into(),
            index: i,
            attrs: vec![
                ("href".into(), format!("/user{}", i % 40)),
                ("data-hovercard-type".into(), "user".into()),
            ],
            text: Some(format!("user{}", i % 40)),
            inner: vec![],
            also: vec![],
        })
        .collect();
    compare::<Vec<Descriptor>>("descriptors", &serde_json::to_string(&descriptors).unwrap());
}
