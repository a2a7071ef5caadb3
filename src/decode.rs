//! Reading values that come in from JavaScript: storage, messages and the team server's JSON.
//!
//! serde stays the writer (and the server's reader), but in the wasm module each serde
//! `Deserialize` costs a visitor per type, and those visitors were a quarter of the module
//! (docs/architecture.md, "Budgets as measured"). Here, values arrive as JSON text (the
//! browser's `JSON.stringify` or a response body), [`Json::parse`] turns the text into a tree,
//! and each type's [`Decode`] impl names its fields in straight-line code. Like
//! serde-wasm-bindgen before it, it reads only the fields it names, so a value a newer version
//! stored (settings and drafts roam between browsers) stays readable, and it refuses wrong
//! types with the path of the field that was wrong. Native tests hold every impl to the
//! type's serde form: what serde writes, `Decode` reads back unchanged.

/// A parsed JSON value. Objects keep their members in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Deeper nesting than any StandIn value has is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl Json {
    /// Parses JSON text (RFC 8259). Numbers are read as `f64`: integers exactly up to 2^53,
    /// which is all StandIn stores; a fraction or exponent is computed, not correctly rounded.
    pub fn parse(text: &str) -> Result<Json, DecodeError> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value(0)?;
        parser.space();
        if parser.at == parser.bytes.len() {
            Ok(value)
        } else {
            Err(DecodeError::new("not JSON"))
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn next(&mut self) -> Result<u8, DecodeError> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or(DecodeError::new("not JSON"))?;
        self.at += 1;
        Ok(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, DecodeError> {
        let end = self.at + word.len();
        if self.bytes.get(self.at..end) == Some(word.as_bytes()) {
            self.at = end;
            Ok(value)
        } else {
            Err(DecodeError::new("not JSON"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::new("nested too deeply"));
        }
        self.space();
        match self.bytes.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        if self.next()? != b'"' {
                            return Err(DecodeError::new("not JSON"));
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(DecodeError::new("not JSON"));
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(DecodeError::new("not JSON"));
                        }
                    }
                }
                Ok(Json::Object(members))
            }
            Some(b'[') => {
                self.at += 1;
                let mut elements = Vec::new();
                if !self.eat(b']') {
                    loop {
                        elements.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(DecodeError::new("not JSON"));
                        }
                    }
                }
                Ok(Json::Array(elements))
            }
            Some(b'"') => {
                self.at += 1;
                self.string().map(Json::String)
            }
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            _ => self.number(),
        }
    }

    /// The rest of a string whose opening quote was read.
    fn string(&mut self) -> Result<String, DecodeError> {
        let mut out = Vec::new();
        loop {
            // Copy the plain run up to the next quote, escape or control byte in one go.
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            out.extend_from_slice(&rest[..run]);
            self.at += run;
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    let escaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(DecodeError::new("not JSON")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(escaped.encode_utf8(&mut buf).as_bytes());
                }
                byte if byte < 0x20 => return Err(DecodeError::new("not JSON")),
                byte => out.push(byte),
            }
        }
        // The input was a `&str` and escapes were encoded whole, so this is UTF-8.
        String::from_utf8(out).map_err(|_| DecodeError::new("not JSON"))
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?)
                .to_digit(16)
                .ok_or(DecodeError::new("not JSON"))?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// `\uXXXX`, joining a surrogate pair; a lone surrogate becomes U+FFFD, as in JS.
    fn unicode_escape(&mut self) -> Result<char, DecodeError> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
        {
            let saved = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.at = saved;
        }
        Ok(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }

    fn digits(&mut self) -> (f64, i32) {
        let (mut value, mut count) = (0.0, 0);
        while let Some(&byte @ b'0'..=b'9') = self.bytes.get(self.at) {
            value = value * 10.0 + f64::from(byte - b'0');
            count += 1;
            self.at += 1;
        }
        (value, count)
    }

    fn number(&mut self) -> Result<Json, DecodeError> {
        let negative = self.bytes.get(self.at) == Some(&b'-');
        self.at += usize::from(negative);
        let (mut value, count) = self.digits();
        if count == 0 {
            return Err(DecodeError::new("not JSON"));
        }
        let mut exponent = 0;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            let (fraction, places) = self.digits();
            if places == 0 {
                return Err(DecodeError::new("not JSON"));
            }
            value = value * 10f64.powi(places) + fraction;
            exponent -= places;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            let sign = match self.bytes.get(self.at) {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => 0,
            };
            self.at += usize::from(sign != 0);
            let (power, count) = self.digits();
            if count == 0 {
                return Err(DecodeError::new("not JSON"));
            }
            exponent += if sign < 0 { -1 } else { 1 } * (power.min(1000.0) as i32);
        }
        if exponent != 0 {
            value *= 10f64.powi(exponent);
        }
        Ok(Json::Number(if negative { -value } else { value }))
    }
}

/// What was wrong and where: `path` is like `items[2].state` (empty for the value itself).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{}", .path, if .path.is_empty() { "" } else { ": " }, .problem)]
pub struct DecodeError {
    pub path: String,
    pub problem: &'static str,
}

impl DecodeError {
    pub fn new(problem: &'static str) -> DecodeError {
        DecodeError {
            path: String::new(),
            problem,
        }
    }

    /// The same error, one level further out: inside member `key` (or `[index]`).
    pub fn at(mut self, key: &str) -> DecodeError {
        self.path = match self.path.as_bytes().first() {
            None => key.to_string(),
            Some(b'[') => format!("{key}{}", self.path),
            Some(_) => format!("{key}.{}", self.path),
        };
        self
    }

    fn at_index(self, index: usize) -> DecodeError {
        self.at(&format!("[{index}]"))
    }
}

/// A type that can be read from [`Json`], as its serde form.
pub trait Decode: Sized {
    fn decode(value: &Json) -> Result<Self, DecodeError>;

    /// Parses JSON text and decodes it.
    fn from_json(text: &str) -> Result<Self, DecodeError> {
        Self::decode(&Json::parse(text)?)
    }
}

/// The members of an object, read by name. Unnamed members are ignored.
pub struct Object<'a>(&'a [(String, Json)]);

impl<'a> Object<'a> {
    pub fn new(value: &'a Json) -> Result<Object<'a>, DecodeError> {
        match value {
            Json::Object(members) => Ok(Object(members)),
            _ => Err(DecodeError::new("expected an object")),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Json> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| **v != Json::Null)
    }

    /// A member that must be there.
    pub fn req<T: Decode>(&self, key: &str) -> Result<T, DecodeError> {
        match self.get(key) {
            Some(value) => T::decode(value).map_err(|e| e.at(key)),
            None => Err(DecodeError::new("missing").at(key)),
        }
    }

    /// An optional member (`Option` fields); absent and `null` are `None`.
    pub fn opt<T: Decode>(&self, key: &str) -> Result<Option<T>, DecodeError> {
        self.get(key)
            .map(|value| T::decode(value).map_err(|e| e.at(key)))
            .transpose()
    }

    /// A member with a default (`#[serde(default)]` fields).
    pub fn or_default<T: Decode + Default>(&self, key: &str) -> Result<T, DecodeError> {
        Ok(self.opt(key)?.unwrap_or_default())
    }

    /// All members, for map-shaped values.
    pub fn members(&self) -> &'a [(String, Json)] {
        self.0
    }
}

/// A JS value (from storage or a message) read through the browser's own `JSON.stringify`:
/// fast, and no call back into JS per field.
#[cfg(target_arch = "wasm32")]
pub fn from_js<T: Decode>(value: &wasm_bindgen::JsValue) -> Result<T, DecodeError> {
    T::decode(&Json::from_js(value)?)
}

#[cfg(target_arch = "wasm32")]
impl Json {
    /// The tree of a JS value ([`from_js`] without the typed part, which alone is per type).
    pub fn from_js(value: &wasm_bindgen::JsValue) -> Result<Json, DecodeError> {
        let text = js_sys::JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(DecodeError::new("not a JSON value"))?;
        Json::parse(&text)
    }
}

/// An externally tagged enum value (serde's default): `"clear"` for a unit variant,
/// `{"declare": {…}}` for one with data. Returns the tag and the data, if any.
pub fn tagged(value: &Json) -> Result<(&str, Option<&Json>), DecodeError> {
    match value {
        Json::String(tag) => Ok((tag, None)),
        Json::Object(members) if members.len() == 1 => {
            let (tag, data) = &members[0];
            Ok((tag, Some(data)))
        }
        _ => Err(DecodeError::new(
            "expected a variant name or an object with one member",
        )),
    }
}

/// The data of a tagged variant, decoded, with the tag in the error path.
pub fn variant<T: Decode>(tag: &str, data: Option<&Json>) -> Result<T, DecodeError> {
    match data {
        Some(data) => T::decode(data).map_err(|e| e.at(tag)),
        None => Err(DecodeError::new("missing").at(tag)),
    }
}

/// A unit-like value written as one of a few names (`rename_all` enums).
pub fn one_of<T: Copy>(value: &Json, names: &[(&str, T)]) -> Result<T, DecodeError> {
    let Json::String(text) = value else {
        return Err(DecodeError::new("expected a string"));
    };
    names
        .iter()
        .find(|(name, _)| name == text)
        .map(|&(_, v)| v)
        .ok_or(DecodeError::new("not a known value"))
}

/// The error for a tagged enum's unknown tag.
pub fn unknown_variant<T>() -> Result<T, DecodeError> {
    Err(DecodeError::new("not a known variant"))
}

impl Decode for String {
    fn decode(value: &Json) -> Result<String, DecodeError> {
        match value {
            Json::String(s) => Ok(s.clone()),
            _ => Err(DecodeError::new("expected a string")),
        }
    }
}

impl Decode for bool {
    fn decode(value: &Json) -> Result<bool, DecodeError> {
        match value {
            Json::Bool(b) => Ok(*b),
            _ => Err(DecodeError::new("expected true or false")),
        }
    }
}

/// An integer within `min..=max` (both exactly representable as `f64`).
fn integer(value: &Json, min: f64, max: f64) -> Result<f64, DecodeError> {
    match value {
        Json::Number(n) if n.fract() == 0.0 && *n >= min && *n <= max => Ok(*n),
        Json::Number(_) => Err(DecodeError::new("expected an integer in range")),
        _ => Err(DecodeError::new("expected a number")),
    }
}

macro_rules! decode_integer {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(value: &Json) -> Result<$t, DecodeError> {
                // JSON numbers are read as f64, exact up to 2^53: the range stops there.
                const LIMIT: f64 = 9_007_199_254_740_991.0;
                let (min, max) = (<$t>::MIN as f64, <$t>::MAX as f64);
                integer(value, min.max(-LIMIT), max.min(LIMIT)).map(|n| n as $t)
            }
        }
    )*};
}

decode_integer!(u8, u16, u32, u64, usize, i32, i64);

impl<T: Decode> Decode for Option<T> {
    /// `null` is `None` (members use [`Object::opt`], which also treats absence so).
    fn decode(value: &Json) -> Result<Option<T>, DecodeError> {
        match value {
            Json::Null => Ok(None),
            value => T::decode(value).map(Some),
        }
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(value: &Json) -> Result<Box<T>, DecodeError> {
        T::decode(value).map(Box::new)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: &Json) -> Result<Vec<T>, DecodeError> {
        let Json::Array(elements) = value else {
            return Err(DecodeError::new("expected a list"));
        };
        elements
            .iter()
            .enumerate()
            .map(|(i, element)| T::decode(element).map_err(|e| e.at_index(i)))
            .collect()
    }
}

/// Test helpers shared by every module's decoding tests.
#[cfg(test)]
pub(crate) mod check {
    use super::Decode;
    use serde::Serialize;
    use std::fmt::Debug;

    /// What serde writes for `value`, `Decode` reads back unchanged.
    pub fn round_trips<T: Serialize + Decode + PartialEq + Debug>(value: &T) {
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(&T::from_json(&json).unwrap(), value, "decoding {json}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Item {
        url: String,
        tags: Vec<String>,
        done: Option<bool>,
    }

    impl Decode for Item {
        fn decode(value: &Json) -> Result<Item, DecodeError> {
            let o = Object::new(value)?;
            Ok(Item {
                url: o.req("url")?,
                tags: o.or_default("tags")?,
                done: o.opt("done")?,
            })
        }
    }

    #[test]
    fn reads_named_members_and_ignores_the_rest() {
        let item = Item::from_json(r#"{"url":"u","tags":["a"],"done":null,"new":{"x":[1]}}"#);
        assert_eq!(
            item,
            Ok(Item {
                url: "u".into(),
                tags: vec!["a".into()],
                done: None
            })
        );
        let item = Item::from_json(r#" { "url" : "u" , "done" : true } "#).unwrap();
        assert_eq!((item.tags.len(), item.done), (0, Some(true)));
    }

    #[test]
    fn errors_name_the_path() {
        let e = Vec::<Item>::from_json(r#"[{"url":"u"},{"url":"v","tags":["a",3]}]"#);
        assert_eq!(e.unwrap_err().to_string(), "[1].tags[1]: expected a string");
        let e = Item::from_json(r#"{"tags":[]}"#).unwrap_err();
        assert_eq!(e.to_string(), "url: missing");
        let e = Item::from_json("[]").unwrap_err();
        assert_eq!(e.to_string(), "expected an object");
    }

    #[test]
    fn parses_what_json_stringify_writes() {
        let text = r#"{"s":"a\"b\\c\/\n\t\u00e9\ud83d\ude00\ud800x","n":[0,-12,1.5,2e3,-0.25E-2],"b":[true,false,null],"o":{}}"#;
        let Json::Object(members) = Json::parse(text).unwrap() else {
            panic!("not an object")
        };
        assert_eq!(
            members[0].1,
            Json::String("a\"b\\c/\n\té😀\u{FFFD}x".into())
        );
        let numbers: Vec<f64> = match &members[1].1 {
            Json::Array(ns) => ns
                .iter()
                .map(|n| match n {
                    Json::Number(n) => *n,
                    _ => panic!("not a number"),
                })
                .collect(),
            _ => panic!("not an array"),
        };
        assert_eq!(numbers, [0.0, -12.0, 1.5, 2000.0, -0.0025]);
        assert_eq!(
            members[2].1,
            Json::Array(vec![Json::Bool(true), Json::Bool(false), Json::Null])
        );
        assert_eq!(members[3].1, Json::Object(vec![]));
        assert_eq!(
            Json::parse("1700000000123"),
            Ok(Json::Number(1_700_000_000_123.0))
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "tru",
            "01x",
            "-",
            "1.",
            "1e",
            "\"a",
            "\"\\x\"",
            "\"\u{1}\"",
            "{a:1}",
            "[1] 2",
            "'a'",
            "\"\\u12\"",
        ] {
            assert!(Json::parse(bad).is_err(), "{bad:?} parsed");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(Json::parse(&deep).unwrap_err().problem, "nested too deeply");
    }

    #[test]
    fn integers_are_whole_and_in_range() {
        assert_eq!(u8::from_json("255"), Ok(255));
        assert!(u8::from_json("256").is_err());
        assert!(u32::from_json("-1").is_err());
        assert!(i64::from_json("1.5").is_err());
        assert_eq!(i64::from_json("-1700000000000"), Ok(-1_700_000_000_000));
        assert!(u64::from_json("1e300").is_err());
        assert!(u32::from_json(r#""7""#).is_err());
    }

    #[test]
    fn tags_and_names() {
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Color {
            Red,
            Blue,
        }
        const NAMES: &[(&str, Color)] = &[("red", Color::Red), ("blue", Color::Blue)];
        let parse = |text| Json::parse(text).unwrap();
        assert_eq!(one_of(&parse(r#""blue""#), NAMES), Ok(Color::Blue));
        assert!(one_of(&parse(r#""green""#), NAMES).is_err());

        let v = parse(r#"{"declare":{"x":1}}"#);
        let (tag, data) = tagged(&v).unwrap();
        assert_eq!((tag, data.is_some()), ("declare", true));
        let v = parse(r#""clear""#);
        assert_eq!(tagged(&v).unwrap(), ("clear", None));
        assert!(tagged(&parse(r#"{"a":1,"b":2}"#)).is_err());
        assert!(variant::<u8>("declare", None).is_err());
    }
}
