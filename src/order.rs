//! Ordering without the standard library's sorts and B-trees. Every `sort_by` on a new element
//! type, and every `BTreeMap` of a new (key, value) type, adds its own copy of that code to the
//! wasm module (several KiB each). [`by_key`] sorts `(key, index)` pairs instead, one
//! instantiation whatever is being ordered; [`by`] orders by a comparison through one
//! non-generic insertion sort; [`SortedMap`] is a `Vec` kept in key order.

use crate::decode::{Decode, DecodeError, Json, Object};
use crate::encode::{Encode, Writer};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

/// `items` ordered by `key` (smallest first); equal keys keep their order.
pub(crate) fn by_key<T>(items: Vec<T>, key: impl Fn(&T) -> i64) -> Vec<T> {
    let mut order: Vec<(i64, usize)> = items.iter().map(&key).zip(0..).collect();
    order.sort_unstable();
    permute(items, order.into_iter().map(|(_, i)| i))
}

/// `items` ordered by `cmp` (smallest first); equal items keep their order. For keys that are
/// no integer (names, URLs): the lists are short (a team, a few origins).
pub(crate) fn by<T>(items: Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    let order = stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]));
    permute(items, order)
}

/// The indices `0..n` sorted by `cmp`, stably: a binary insertion sort, O(n log n) comparisons
/// and O(n²) moves of indices. Not generic, so it is in the module once.
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        // After every earlier item not greater than this one: equal items keep their order.
        let at = order.partition_point(|&j| cmp(j, i) != Ordering::Greater);
        order.insert(at, i);
    }
    order
}

/// `items` in the order of `order`, a permutation of their indices.
fn permute<T>(items: Vec<T>, order: impl IntoIterator<Item = usize>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// A map as a `Vec` of entries kept sorted by key: it iterates in key order and serializes as
/// a map, as `BTreeMap` does, without a B-tree's code per (key, value) type. Lookups
/// binary-search; an insert or remove shifts the entries after it, which is cheap for what it
/// holds (a team roster, an element's attributes).
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        SortedMap::default()
    }

    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    #[cfg(test)]
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }

    #[cfg(test)]
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => self.0.get_mut(at).map(|(_, v)| std::mem::replace(v, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        Some(self.0.remove(at).1)
    }
}

impl<K, V> SortedMap<K, V> {
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

/// The iterator of [`SortedMap::iter`]: `(&key, &value)` like `BTreeMap`'s.
pub type Iter<'a, K, V> =
    std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Built by inserting in order: a repeated key keeps its last value.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SortedMap::new();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    /// Panics when `key` is absent, as `BTreeMap`'s does.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("key in map")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// A JSON object in key order, as the `Serialize` impl writes it. Keys are the strings serde
/// writes for them: a `String` itself, a unit enum variant's name (`AsRef<str>` on the enum).
impl<K: AsRef<str>, V: Encode> Encode for SortedMap<K, V> {
    fn encode(&self, w: &mut Writer) {
        let mut members = w.object();
        for (k, v) in self {
            members.field(k.as_ref(), v);
        }
        members.end();
    }
}

/// A JSON object keyed by strings; a repeated key keeps its last value, as serde's map does.
impl<V: Decode> Decode for SortedMap<String, V> {
    fn decode(value: &Json) -> Result<Self, DecodeError> {
        Object::new(value)?
            .members()
            .iter()
            .map(|(k, v)| Ok((k.clone(), V::decode(v).map_err(|e| e.at(k))?)))
            .collect()
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
            type Value = SortedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
                let mut map = SortedMap::new();
                while let Some((k, v)) = entries.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }
        d.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    #[test]
    fn orders_by_key_and_keeps_ties_in_place() {
        let words = vec!["pear", "fig", "apple", "kiwi", "plum"];
        let sorted = super::by_key(words, |w| w.len() as i64);
        assert_eq!(sorted, ["fig", "pear", "kiwi", "plum", "apple"]);
        assert!(super::by_key(Vec::<u8>::new(), |_| 0).is_empty());
    }

    #[test]
    fn orders_by_comparison_and_keeps_ties_in_place() {
        let words = vec!["pear", "fig", "apple", "kiwi", "plum", "fig", "date"];
        let sorted = super::by(words.clone(), |a, b| a.cmp(b));
        assert_eq!(
            sorted,
            ["apple", "date", "fig", "fig", "kiwi", "pear", "plum"]
        );
        let by_len = super::by(words, |a, b| a.len().cmp(&b.len()));
        assert_eq!(
            by_len,
            ["fig", "fig", "pear", "kiwi", "plum", "date", "apple"]
        );
        assert!(super::by(Vec::<u8>::new(), u8::cmp).is_empty());
        // The same as the standard library's stable sort, on something longer.
        let mut many: Vec<(u8, usize)> = (0..300).map(|i| ((i * 37 % 11) as u8, i)).collect();
        let sorted = super::by(many.clone(), |a, b| a.0.cmp(&b.0));
        many.sort_by_key(|p| p.0);
        assert_eq!(sorted, many);
    }

    #[test]
    fn sorted_maps_keep_key_order_and_the_last_value() {
        let mut map: SortedMap<String, u32> = [("b", 1), ("a", 2), ("c", 3), ("a", 4)]
            .map(|(k, v)| (k.to_owned(), v))
            .into_iter()
            .collect();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!((map.get("a"), map["b"], map.get("z")), (Some(&4), 1, None));
        assert_eq!(map.insert("b".into(), 5), Some(1));
        assert_eq!(map.insert("aa".into(), 6), None);
        *map.get_mut("c").unwrap() += 10;
        assert_eq!(map.remove("a"), Some(4));
        assert_eq!(map.remove("a"), None);
        assert!(map.contains_key("aa") && !map.contains_key("a"));
        let entries: Vec<(&String, &u32)> = (&map).into_iter().collect();
        assert_eq!(entries.len(), map.len());
        assert_eq!(map.values().collect::<Vec<_>>(), [&6, &5, &13]);
        assert_eq!(format!("{map:?}"), r#"{"aa": 6, "b": 5, "c": 13}"#);
        map.clear();
        assert!(map.is_empty());
    }

    #[test]
    fn sorted_maps_are_json_objects_in_key_order() {
        let map: SortedMap<String, u32> = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"a":2,"b":3}"#);
        let same: std::collections::BTreeMap<String, u32> =
            serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&same).unwrap(), r#"{"a":2,"b":3}"#);
        assert!(serde_json::from_str::<SortedMap<String, u32>>("[]").is_err());
        crate::encode::check::same_as_serde(&map);
        crate::encode::check::same_as_serde(&SortedMap::<String, u32>::new());
        let odd: SortedMap<String, Vec<String>> = [
            ("é \" \\ \n".to_owned(), vec!["x".to_owned()]),
            (String::new(), vec![]),
        ]
        .into_iter()
        .collect();
        crate::encode::check::same_as_serde(&odd);
        assert!(serde_json::from_str::<SortedMap<String, u32>>(r#"{"a":"1"}"#).is_err());
    }
}
