//! Reading wire and storage values with serde, their one definition: errors that name the
//! field's path, and the tolerance the extension needs for values another version wrote.
//!
//! The types derive `Serialize`/`Deserialize` and nothing else. Their unknown fields are
//! ignored, so a value a newer version stored (settings and drafts roam between browsers)
//! stays readable; the team server refuses unknown fields in requests itself
//! (`server/src/extract.rs`). The browser shell reads JS values with serde-wasm-bindgen
//! (`wasm::ext`), text (HTTP bodies, the content script's descriptors) with serde_json here.

mod path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// What could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{}", .path, if .path.is_empty() { "" } else { ": " }, .problem)]
pub struct ReadError {
    /// The field's path, like `items[2].state`; empty for the value itself.
    pub path: String,
    pub problem: String,
}

impl ReadError {
    /// What [`path::deserialize`] reports, with a missing field's name in its path.
    fn new(path: &str, error: impl std::fmt::Display) -> ReadError {
        // serde-wasm-bindgen's errors are JS `Error`s, shown as `Error: …`.
        let problem = error.to_string();
        let problem = problem.strip_prefix("Error: ").unwrap_or(&problem);
        ReadError {
            path: field_path(path, problem),
            problem: problem.to_owned(),
        }
    }
}

/// The path of the field an error is about: serde reports a missing field at its parent
/// (`items[0]`), this names the field (`items[0].url`).
pub fn field_path(parent: &str, problem: &str) -> String {
    let missing = problem
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match missing {
        Some(name) if parent.is_empty() => name.to_owned(),
        Some(name) => format!("{parent}.{name}"),
        None => parent.to_owned(),
    }
}

/// Reads a `T` from any serde deserializer; an error names the field's path.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, ReadError>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    path::deserialize(deserializer).map_err(|(path, e)| ReadError::new(&path, e))
}

/// Reads JSON text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = deserialize(&mut json)?;
    json.end().map_err(|e| ReadError {
        path: String::new(),
        problem: e.to_string(),
    })?;
    Ok(value)
}

/// Reads a team server's JSON body. In the browser the text goes through `JSON.parse` and
/// serde-wasm-bindgen, the reader of storage and messages, so each wire type's visitors are in
/// the module once rather than once per reader (docs/architecture.md, "Reading server
/// bodies"); natively, serde_json.
pub fn from_body<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).map_err(|_| ReadError {
            path: String::new(),
            problem: "not JSON".to_owned(),
        })?;
        from_js(value)
    }
    #[cfg(not(target_arch = "wasm32"))]
    from_str(text)
}

/// Reads a JS value (storage, a message, a parsed body) with serde-wasm-bindgen.
#[cfg(target_arch = "wasm32")]
pub fn from_js<T: DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, ReadError> {
    deserialize(serde_wasm_bindgen::Deserializer::from(value))
}

/// `value` as compact JSON text, as serde_json writes it; `None` when it cannot be written. In
/// the browser through serde-wasm-bindgen and `JSON.stringify`, which write the same text, so
/// serde_json's writer stays out of the wasm modules.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .ok()?;
        js_sys::JSON::stringify(&value).ok().map(String::from)
    }
    #[cfg(not(target_arch = "wasm32"))]
    serde_json::to_string(value).ok()
}

/// The length in UTF-8 bytes of `value` as compact JSON ([`to_json`]).
pub fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> Option<usize> {
    to_json(value).map(|json| json.len())
}

/// For `#[serde(default, deserialize_with = "crate::wire::nullable")]`: a `null` reads as the
/// type's default, as an absent member does, where serde would refuse it.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Item {
        url: String,
        #[serde(default, deserialize_with = "nullable")]
        tags: Vec<String>,
        #[serde(default)]
        done: Option<bool>,
    }

    #[test]
    fn reads_named_members_and_ignores_the_rest() {
        let item = from_str::<Item>(r#"{"url":"u","tags":["a"],"done":null,"new":{"x":[1]}}"#);
        let want = Item {
            url: "u".into(),
            tags: vec!["a".into()],
            done: None,
        };
        assert_eq!(item, Ok(want));
        let item = from_str::<Item>(r#" { "url" : "u" , "tags": null, "done" : true } "#);
        assert_eq!(item.map(|i| (i.tags.len(), i.done)), Ok((0, Some(true))));
    }

    #[test]
    fn errors_name_the_path() {
        let e = from_str::<Vec<Item>>(r#"[{"url":"u"},{"url":"v","tags":["a",3]}]"#);
        assert_eq!(e.unwrap_err().path, "[1].tags[1]");
        let e = from_str::<Item>(r#"{"tags":[]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "url: missing field `url` at line 1 column 11"
        );
        let e = from_str::<Vec<Item>>(r#"[{"url":"u"},{}]"#).unwrap_err();
        assert_eq!(e.path, "[1].url");
        let e = from_str::<Item>("[]").unwrap_err();
        assert_eq!(e.path, "");
        assert!(from_str::<Item>(r#"{"url":"u"} x"#).is_err());
        assert!(from_str::<Item>(r#"{"url":"u""#).is_err());
    }

    #[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Known,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)] // read only for its errors
    enum Shape {
        Unit,
        Boxed(Item),
        Pair(u8, u8),
        Named { n: u8, item: Option<Item> },
    }

    #[test]
    fn paths_run_through_maps_enums_and_options() {
        use std::collections::BTreeMap;
        let path = |e: ReadError| e.path;
        let map = from_str::<BTreeMap<String, Item>>(r#"{"a":{"url":"u"},"b":{"url":5}}"#);
        assert_eq!(map.map_err(path).unwrap_err(), "b.url");
        let keys = from_str::<BTreeMap<Kind, u8>>(r#"{"known":1,"new":2}"#);
        assert_eq!(keys.map_err(path).unwrap_err(), "new");
        assert_eq!(
            from_str::<BTreeMap<Kind, u8>>(r#"{"known":1}"#)
                .unwrap()
                .len(),
            1
        );
        for (bad, want) in [
            (r#""square""#, ""),
            (r#"{"unit":3}"#, "unit"),
            (r#"{"boxed":{}}"#, "boxed.url"),
            (r#"{"pair":[1,"x"]}"#, "pair[1]"),
            (
                r#"{"named":{"n":1,"item":{"url":"u","tags":[7]}}}"#,
                "named.item.tags[0]",
            ),
        ] {
            assert_eq!(
                from_str::<Shape>(bad).map_err(path).unwrap_err(),
                want,
                "{bad}"
            );
        }
        let list = from_str::<Vec<Shape>>(r#"["unit",{"named":{"n":-1}}]"#);
        assert_eq!(list.map_err(path).unwrap_err(), "[1].named.n");
    }

    #[test]
    fn field_paths_name_the_field() {
        assert_eq!(field_path("x", "unknown field `x`, expected y"), "x");
        assert_eq!(
            field_path("items[0]", "missing field `url`"),
            "items[0].url"
        );
        assert_eq!(
            field_path("items[0].state", "unknown variant"),
            "items[0].state"
        );
        assert_eq!(field_path("", "missing field `headline`"), "headline");
        assert_eq!(field_path("", "invalid type: sequence"), "");
    }
}

/// Test helpers shared by every module's serde tests.
#[cfg(test)]
pub(crate) mod check {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use std::fmt::Debug;

    /// What serde writes for `value` reads back unchanged: every `skip_serializing_if` has its
    /// `default`, and hand-written impls (`Timestamp`, `LocalTime`) agree with each other.
    pub fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(
            &super::from_str::<T>(&json).unwrap(),
            value,
            "reading {json}"
        );
    }
}
