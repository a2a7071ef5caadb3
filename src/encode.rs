//! Writing values as JSON text in the wasm module: storage, messages, replies to content
//! scripts and request bodies.
//!
//! The counterpart of [`crate::decode`]: serde's `Serialize` impls stay (the server writes with
//! them), but serde_json's serializer brought its parser's error tables, `std::io` error text
//! and number formatting into the module, and each derived impl its own generic code. An
//! [`Encode`] impl writes its fields in straight-line code. Native tests hold every impl to
//! the type's serde form byte for byte (`check::same_as_serde`), which is what the server reads
//! and what `storage.sync`'s quota counts.

/// JSON text being written.
#[derive(Default)]
pub struct Writer(String);

impl Writer {
    /// A JSON string, escaped as serde_json escapes it.
    pub fn string(&mut self, s: &str) {
        self.0.push('"');
        for c in s.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                '\n' => self.0.push_str("\\n"),
                '\r' => self.0.push_str("\\r"),
                '\t' => self.0.push_str("\\t"),
                '\u{8}' => self.0.push_str("\\b"),
                '\u{c}' => self.0.push_str("\\f"),
                c if c < ' ' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let b = c as usize;
                    self.0.push_str("\\u00");
                    self.0.push(char::from(HEX[b >> 4]));
                    self.0.push(char::from(HEX[b & 15]));
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }

    /// Raw JSON (a number, `true`, `null`, punctuation).
    pub fn raw(&mut self, json: &str) {
        self.0.push_str(json);
    }

    /// An object; its members are written through the returned [`Members`].
    pub fn object(&mut self) -> Members<'_> {
        self.0.push('{');
        Members {
            writer: self,
            first: true,
        }
    }

    /// A unit variant or a variant with data (serde's externally tagged form).
    pub fn variant<T: Encode + ?Sized>(&mut self, tag: &str, data: Option<&T>) {
        match data {
            None => self.string(tag),
            Some(data) => self.object().field(tag, data).end(),
        }
    }
}

/// The members of an object being written; [`Members::end`] closes it.
pub struct Members<'a> {
    writer: &'a mut Writer,
    first: bool,
}

impl Members<'_> {
    fn key(&mut self, key: &str) -> &mut Writer {
        if !self.first {
            self.writer.0.push(',');
        }
        self.first = false;
        self.writer.string(key);
        self.writer.0.push(':');
        self.writer
    }

    /// A member.
    pub fn field<T: Encode + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        value.encode(self.key(key));
        self
    }

    /// A member left out when `None` (`skip_serializing_if = "Option::is_none"`).
    pub fn opt<T: Encode>(&mut self, key: &str, value: &Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.field(key, value);
        }
        self
    }

    /// A member left out when `skip` (any other `skip_serializing_if`).
    pub fn unless<T: Encode + ?Sized>(&mut self, skip: bool, key: &str, value: &T) -> &mut Self {
        if !skip {
            self.field(key, value);
        }
        self
    }

    pub fn end(&mut self) {
        self.writer.0.push('}');
    }
}

/// A type written as its serde JSON form.
pub trait Encode {
    fn encode(&self, w: &mut Writer);
}

/// [`Decode`](crate::decode::Decode) and [`Encode`] for a unit-only enum written as names (a
/// serde `rename_all` enum), from one table: `wire_names!(Site { Github = "github", … });`.
#[macro_export]
macro_rules! wire_names {
    ($ty:ident { $($variant:ident = $name:literal,)+ }) => {
        impl $crate::decode::Decode for $ty {
            fn decode(value: &$crate::decode::Json) -> Result<$ty, $crate::decode::DecodeError> {
                $crate::decode::one_of(value, &[$(($name, $ty::$variant)),+])
            }
        }

        impl $crate::encode::Encode for $ty {
            fn encode(&self, w: &mut $crate::encode::Writer) {
                w.string(match self {
                    $($ty::$variant => $name,)+
                });
            }
        }
    };
}

/// `value` as JSON text.
pub fn to_json<T: Encode + ?Sized>(value: &T) -> String {
    let mut w = Writer::default();
    value.encode(&mut w);
    w.0
}

impl Encode for str {
    fn encode(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl Encode for String {
    fn encode(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl Encode for bool {
    fn encode(&self, w: &mut Writer) {
        w.raw(if *self { "true" } else { "false" });
    }
}

macro_rules! encode_integer {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, w: &mut Writer) {
                use std::fmt::Write;
                // Straight into the text, no string per number; writing to a String cannot fail.
                let _ = write!(w.0, "{self}");
            }
        }
    )*};
}

encode_integer!(u8, u16, u32, u64, usize, i32, i64);

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, w: &mut Writer) {
        match self {
            Some(value) => value.encode(w),
            None => w.raw("null"),
        }
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w);
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, w: &mut Writer) {
        (**self).encode(w);
    }
}

impl<T: Encode> Encode for [T] {
    fn encode(&self, w: &mut Writer) {
        w.raw("[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                w.raw(",");
            }
            item.encode(w);
        }
        w.raw("]");
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, w: &mut Writer) {
        self.as_slice().encode(w);
    }
}

/// Test helpers shared by every module's encoding tests.
#[cfg(test)]
pub(crate) mod check {
    use super::{to_json, Encode};
    use serde::Serialize;

    /// `Encode` writes exactly what serde_json writes for `value`.
    pub fn same_as_serde<T: Encode + Serialize + ?Sized>(value: &T) {
        assert_eq!(to_json(value), serde_json::to_string(value).unwrap());
    }
}

#[cfg(test)]
mod tests {
    use super::check::same_as_serde;
    use super::*;

    #[derive(serde::Serialize)]
    struct Item {
        url: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        tags: Vec<String>,
        count: u32,
        done: bool,
        when: Option<i64>,
    }

    impl Encode for Item {
        fn encode(&self, w: &mut Writer) {
            w.object()
                .field("url", &self.url)
                .opt("note", &self.note)
                .field("tags", &self.tags)
                .field("count", &self.count)
                .field("done", &self.done)
                .field("when", &self.when)
                .end();
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let text = "quote \" backslash \\ slash / \n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é 😀 </script>";
        same_as_serde(text);
        same_as_serde(&Item {
            url: text.into(),
            note: Some("n".into()),
            tags: vec!["a".into(), String::new()],
            count: u32::MAX,
            done: true,
            when: Some(-1_700_000_000_000),
        });
        same_as_serde(&Item {
            url: String::new(),
            note: None,
            tags: vec![],
            count: 0,
            done: false,
            when: None,
        });
        same_as_serde(&vec![u64::MAX, 0]);
        same_as_serde(&[Some(1u8), None][..]);
    }

    #[test]
    fn variants_are_externally_tagged() {
        let mut w = Writer::default();
        w.variant::<u8>("clear", None);
        assert_eq!(w.0, r#""clear""#);
        let mut w = Writer::default();
        w.variant("plan", Some(&7u8));
        assert_eq!(w.0, r#"{"plan":7}"#);
        assert_eq!(to_json(&Vec::<u8>::new()), "[]");
    }

    #[test]
    fn decode_reads_what_encode_writes() {
        use crate::decode::{Decode, DecodeError, Json, Object};
        struct Pair(String, Vec<i64>);
        impl Encode for Pair {
            fn encode(&self, w: &mut Writer) {
                w.object().field("a", &self.0).field("b", &self.1).end();
            }
        }
        impl Decode for Pair {
            fn decode(value: &Json) -> Result<Pair, DecodeError> {
                let o = Object::new(value)?;
                Ok(Pair(o.req("a")?, o.req("b")?))
            }
        }
        let text = "\u{0}\u{1f}\"\\ é 😀";
        let back =
            Pair::from_json(&to_json(&Pair(text.into(), vec![-9, 0, (1 << 53) - 1]))).unwrap();
        assert_eq!(
            (back.0.as_str(), back.1),
            (text, vec![-9, 0, (1 << 53) - 1])
        );
    }
}
