//! The path of the field a decode error is about (`items[2].state`), for any serde
//! deserializer (serde-wasm-bindgen in the browser, serde_json natively).
//!
//! A lean counterpart of `serde_path_to_error`, which the worker's size budget could not keep:
//! that crate builds the path on the way down (a chain of owned keys cloned at every level,
//! and a wrapper around every key's visitor), so each wire type carried several copies of its
//! bookkeeping. Here nothing is recorded while decoding goes well: a map or sequence notes its
//! current key or index only when an error passes up through it, so the path is built on the
//! way up, innermost segment first, by two small functions that are not generic.
//!
//! As with serde_path_to_error, an error that something inside a decode catches and discards
//! (serde's `untagged`, which no read type uses) would leave its segments behind.

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Decodes a `T` from `deserializer`; an error comes with its path (empty for the value
/// itself).
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, (String, D::Error)>
where
    D: Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    let track = Track::default();
    T::deserialize(Tracked {
        de: deserializer,
        track: &track,
    })
    .map_err(|e| (track.path(), e))
}

/// The segments an error passed up through, innermost first.
#[derive(Default)]
struct Track(RefCell<Vec<Segment>>);

enum Segment {
    Key(String),
    Index(usize),
}

impl Track {
    #[inline(never)]
    fn key(&self, key: &str) {
        self.0.borrow_mut().push(Segment::Key(key.to_owned()));
    }

    #[inline(never)]
    fn index(&self, index: usize) {
        self.0.borrow_mut().push(Segment::Index(index));
    }

    /// `a.b[2].c`, outermost first.
    fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.0.borrow().iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Segment::Index(index) => {
                    path.push('[');
                    path.push_str(&index.to_string());
                    path.push(']');
                }
            }
        }
        path
    }
}

/// A deserializer that hands out tracked maps, sequences and enums to its visitors.
struct Tracked<'t, D> {
    de: D,
    track: &'t Track,
}

impl<'t, D> Tracked<'t, D> {
    fn wrap<X>(&self, visitor: X) -> Wrap<'t, X> {
        Wrap {
            visitor,
            track: self.track,
        }
    }
}

/// Methods whose visitors get no nested values: passed on untouched.
macro_rules! forward_plain {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.de.$method(visitor)
        }
    )*};
}

/// Methods whose visitors may get nested values: their visitor is wrapped.
macro_rules! forward_wrapped {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.de.$method(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tracked<'_, D> {
    type Error = D::Error;

    forward_plain! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_identifier deserialize_ignored_any
    }

    forward_wrapped! { deserialize_any deserialize_option deserialize_seq deserialize_map }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A visitor whose nested values are read through [`Tracked`].
struct Wrap<'t, X> {
    visitor: X,
    track: &'t Track,
}

/// Visits that carry no nested value: passed on untouched.
macro_rules! visit_plain {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<X::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, X: Visitor<'de>> Visitor<'de> for Wrap<'_, X> {
    type Value = X::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        self.visitor.expecting(formatter)
    }

    visit_plain! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_unit<E: de::Error>(self) -> Result<X::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<X::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<X::Value, D::Error> {
        let track = self.track;
        self.visitor.visit_some(Tracked { de, track })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<X::Value, D::Error> {
        let track = self.track;
        self.visitor.visit_newtype_struct(Tracked { de, track })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<X::Value, A::Error> {
        let track = self.track;
        self.visitor.visit_seq(Seq {
            seq,
            track,
            index: 0,
        })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<X::Value, A::Error> {
        let track = self.track;
        self.visitor.visit_map(Map {
            map,
            track,
            key: String::new(),
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<X::Value, A::Error> {
        let track = self.track;
        self.visitor.visit_enum(Enum { data, track })
    }
}

/// A seed whose value is read through [`Tracked`].
struct Seed<'t, S> {
    seed: S,
    track: &'t Track,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        let track = self.track;
        self.seed.deserialize(Tracked { de, track })
    }
}

struct Seq<'t, A> {
    seq: A,
    track: &'t Track,
    index: usize,
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let (index, track) = (self.index, self.track);
        self.index += 1;
        self.seq
            .next_element_seed(Seed { seed, track })
            .inspect_err(|_| track.index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// A map (or struct) whose current key is kept as text, for the path of an error in its value.
struct Map<'t, A> {
    map: A,
    track: &'t Track,
    key: String,
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // The key is read as text once, into a buffer reused for every key; the type's own
        // key reader then reads that text.
        if self.map.next_key_seed(KeyText(&mut self.key))?.is_none() {
            return Ok(None);
        }
        let key: StrDeserializer<A::Error> = self.key.as_str().into_deserializer();
        let track = self.track;
        seed.deserialize(key)
            .map(Some)
            .inspect_err(|_| track.key(&self.key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let track = self.track;
        self.map
            .next_value_seed(Seed { seed, track })
            .inspect_err(|_| track.key(&self.key))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a map key or an enum tag as text into a buffer.
struct KeyText<'k>(&'k mut String);

impl<'de> DeserializeSeed<'de> for KeyText<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(key);
        Ok(())
    }
}

/// An enum whose variant's name is kept, for the path of an error in its content.
struct Enum<'t, A> {
    data: A,
    track: &'t Track,
}

impl<'de, 't, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Enum<'t, A> {
    type Error = A::Error;
    type Variant = Variant<'t, A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        let mut name = String::new();
        let ((), variant) = self.data.variant_seed(KeyText(&mut name))?;
        let tag: StrDeserializer<A::Error> = name.as_str().into_deserializer();
        let value = seed.deserialize(tag)?;
        let track = self.track;
        Ok((
            value,
            Variant {
                variant,
                track,
                name,
            },
        ))
    }
}

struct Variant<'t, A> {
    variant: A,
    track: &'t Track,
    name: String,
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Variant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        let (track, name) = (self.track, &self.name);
        self.variant.unit_variant().inspect_err(|_| track.key(name))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let (track, name) = (self.track, &self.name);
        self.variant
            .newtype_variant_seed(Seed { seed, track })
            .inspect_err(|_| track.key(name))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let (track, name) = (self.track, &self.name);
        self.variant
            .tuple_variant(len, Wrap { visitor, track })
            .inspect_err(|_| track.key(name))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let (track, name) = (self.track, &self.name);
        self.variant
            .struct_variant(fields, Wrap { visitor, track })
            .inspect_err(|_| track.key(name))
    }
}
