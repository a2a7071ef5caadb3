//! Ordering a list by an integer key, stably. Every `sort_by` on a new element type adds its
//! own copy of the standard library's sort to the wasm module (several KiB each); this sorts
//! `(key, index)` pairs instead, one instantiation whatever is being ordered.

/// `items` ordered by `key` (smallest first); equal keys keep their order.
pub(crate) fn by_key<T>(items: Vec<T>, key: impl Fn(&T) -> i64) -> Vec<T> {
    let mut order: Vec<(i64, usize)> = items.iter().map(&key).zip(0..).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, i)| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn orders_by_key_and_keeps_ties_in_place() {
        let words = vec!["pear", "fig", "apple", "kiwi", "plum"];
        let sorted = super::by_key(words, |w| w.len() as i64);
        assert_eq!(sorted, ["fig", "pear", "kiwi", "plum", "apple"]);
        assert!(super::by_key(Vec::<u8>::new(), |_| 0).is_empty());
    }
}
