//! One stable sort for every list the extension orders. std's sort is a large generic
//! function (~3–4 KB of wasm per element type); sorting positions with it, once, and then
//! moving the elements into that order puts a single copy in each module, and only the small
//! reordering step is per type.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, as `slice::sort_by` would.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// `0..len` in the order `compare` gives them. Not generic: the one std sort instance.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|a, b| compare(*a, *b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_as_std_does() {
        let mut pairs = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let mut want = pairs.clone();
        want.sort_by_key(|p| p.0);
        sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
        assert_eq!(pairs, want);
        assert_eq!(pairs[..2], [(1, 'b'), (1, 'e')]);
        let mut none: Vec<String> = Vec::new();
        sort_by(&mut none, Ord::cmp);
        assert!(none.is_empty());
    }
}
