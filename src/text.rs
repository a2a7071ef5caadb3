//! Unicode text rules that need Unicode data: grapheme clusters (what users count as
//! characters: a family emoji is one, not seven code points) for length limits, counters and
//! truncation, and lowercasing for case-insensitive names.
//!
//! Natively (the team server, tests) the boundaries come from `unicode-segmentation`; in the
//! browser from `Intl.Segmenter`, which implements the same rules (UAX #29 extended grapheme
//! clusters) from the browser's own Unicode data. Shipping the crate's tables in the wasm
//! module would cost ~12 KiB gzipped of a 150 KiB budget; a wasm-bindgen test checks that the
//! two agree on the same corpus (`tests/wasm_roundtrip.rs`).

/// Byte offsets at which the grapheme clusters of `s` start (empty for an empty `s`).
#[cfg(not(target_arch = "wasm32"))]
fn starts(s: &str) -> Vec<usize> {
    use unicode_segmentation::UnicodeSegmentation;
    s.grapheme_indices(true).map(|(at, _)| at).collect()
}

#[cfg(target_arch = "wasm32")]
fn starts(s: &str) -> Vec<usize> {
    use js_sys::{Array, Intl, Reflect};

    thread_local! {
        // `None` where the browser lacks Intl.Segmenter (checked first: the constructor would
        // throw through wasm): code points are counted instead, which only ever counts more,
        // so a limit is never exceeded unnoticed.
        static SEGMENTER: Option<Intl::Segmenter> = {
            let intl = Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
            let exists = Reflect::get(&intl, &"Segmenter".into()).is_ok_and(|s| s.is_function());
            exists.then(|| {
                let options = Intl::SegmenterOptions::new();
                options.set_granularity(Intl::SegmenterGranularity::Grapheme);
                Intl::Segmenter::new(&Array::new(), &options)
            })
        };
    }
    // The segmenter reports UTF-16 offsets; walk the string once to map them to bytes.
    let utf16_starts: Vec<u32> = SEGMENTER.with(|segmenter| match segmenter {
        Some(segmenter) => Array::from(&segmenter.segment(s))
            .iter()
            .filter_map(|segment| Reflect::get(&segment, &"index".into()).ok()?.as_f64())
            .map(|index| index as u32)
            .collect(),
        None => s
            .encode_utf16()
            .scan(0, |at, unit| {
                let start = *at;
                *at += 1;
                // Low surrogates continue a code point; they start nothing.
                Some((!(0xDC00..0xE000).contains(&unit)).then_some(start))
            })
            .flatten()
            .collect(),
    });
    let mut wanted = utf16_starts.into_iter().peekable();
    let mut utf16_at = 0;
    let mut out = Vec::new();
    for (byte_at, ch) in s.char_indices() {
        if wanted.next_if_eq(&utf16_at).is_some() {
            out.push(byte_at);
        }
        utf16_at += ch.len_utf16() as u32;
    }
    out
}

/// `s` lowercased by the Unicode default rules: Rust's `to_lowercase` natively, JavaScript's
/// `toLowerCase` (the same rules, final sigma included) in the browser, which spares the wasm
/// module Rust's case tables.
pub fn lowercase(s: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    return s.to_lowercase();
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(s).to_lower_case().into();
}

/// How many grapheme clusters `s` has.
pub fn grapheme_count(s: &str) -> usize {
    starts(s).len()
}

/// `s` cut to at most `max` grapheme clusters: the byte length of that prefix.
pub fn grapheme_prefix_len(s: &str, max: usize) -> usize {
    starts(s).get(max).copied().unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_users_see_as_one_character() {
        let corpus: &[(&str, usize)] = &include!("../tests/text_corpus.rs.in");
        for &(text, clusters) in corpus {
            assert_eq!(grapheme_count(text), clusters, "{text:?}");
        }
    }

    #[test]
    fn lowercases_beyond_ascii() {
        assert_eq!(lowercase("ÉMILE Ödön ΟΔΟΣ"), "émile ödön οδος");
    }

    #[test]
    fn prefix_ends_on_a_cluster_boundary() {
        let s = "👨‍👩‍👧‍👦e\u{301}z";
        assert_eq!(&s[..grapheme_prefix_len(s, 1)], "👨‍👩‍👧‍👦");
        assert_eq!(&s[..grapheme_prefix_len(s, 2)], "👨‍👩‍👧‍👦e\u{301}");
        assert_eq!(grapheme_prefix_len(s, 3), s.len());
        assert_eq!(grapheme_prefix_len(s, 9), s.len());
    }
}
