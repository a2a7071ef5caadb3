//! Unicode text rules that need Unicode data: grapheme clusters (what users count as
//! characters: a family emoji is one, not seven code points) for length limits, counters and
//! truncation, and lowercasing for case-insensitive names; and two rules that need only small
//! tables: whether text shows anything at all, and bidi controls made unable to reorder what
//! surrounds the text they are in.
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

/// `s` in canonical decomposition (NFD: `é` as `e` and a combining accent), so accents can be
/// dropped for matching names: `unicode-normalization` natively, JavaScript's
/// `normalize("NFD")` in the browser (the browser's own Unicode data, no tables in the module).
pub fn decompose(s: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    return unicode_normalization::UnicodeNormalization::nfd(s).collect();
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(s).normalize("NFD").into();
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

/// Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties): characters that render as
/// nothing (zero-width spaces and joiners, bidi controls, variation selectors, tags, fillers).
const DEFAULT_IGNORABLE: &[(char, char)] = &[
    ('\u{AD}', '\u{AD}'),
    ('\u{34F}', '\u{34F}'),
    ('\u{61C}', '\u{61C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFF8}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

/// Whether `c` draws something: not white space, not a control, not default-ignorable, and
/// not the braille blank (a "letter" that renders as a space).
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && c != '\u{2800}'
        && !DEFAULT_IGNORABLE
            .iter()
            .any(|&(first, last)| (first..=last).contains(&c))
}

/// Whether `s` has at least one visible grapheme cluster. A cluster shows something exactly
/// when one of its characters does, so no segmentation is needed.
pub fn has_visible_text(s: &str) -> bool {
    s.chars().any(is_visible)
}

/// What a bidi control opens: embeddings and overrides end at PDF, isolates at PDI.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    Embedding,
    Isolate,
}

const PDF: char = '\u{202C}';
const PDI: char = '\u{2069}';

/// `s` with its explicit bidi controls paired, so that it cannot reorder text placed after
/// it (an unclosed U+202E would show everything that follows it reversed): a PDF or PDI that
/// closes nothing is dropped, and whatever is still open is closed before each paragraph
/// break and at the end, by UAX #9's matching rules. Marks (LRM, RLM, ALM) act only on their
/// neighbours and stay, as does the text's own direction.
pub fn pair_bidi_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(is_control) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut open: Vec<Opened> = Vec::new();
    let close = |out: &mut String, opened: Opened| {
        out.push(match opened {
            Opened::Embedding => PDF,
            Opened::Isolate => PDI,
        })
    };
    for c in s.chars() {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push(Opened::Embedding),
            '\u{2066}'..='\u{2068}' => open.push(Opened::Isolate),
            // A PDF closes an embedding opened inside the current isolate, nothing else.
            PDF => {
                if open.last() != Some(&Opened::Embedding) {
                    continue;
                }
                open.pop();
            }
            // A PDI closes the innermost open isolate and every embedding opened inside it.
            PDI => {
                if !open.contains(&Opened::Isolate) {
                    continue;
                }
                while let Some(Opened::Embedding) = open.pop() {
                    close(&mut out, Opened::Embedding);
                }
            }
            // Paragraph separators (UAX #9 class B) end every embedding and isolate.
            '\n' | '\r' | '\u{1C}'..='\u{1E}' | '\u{85}' | '\u{2029}' => {
                while let Some(opened) = open.pop() {
                    close(&mut out, opened);
                }
            }
            _ => {}
        }
        out.push(c);
    }
    while let Some(opened) = open.pop() {
        close(&mut out, opened);
    }
    out.into()
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

    #[test]
    fn visible_text_needs_a_character_that_draws_something() {
        for invisible in [
            "",
            " \t\n",
            "\u{200B}",
            "\u{202E}",
            "\u{200E}\u{200F}\u{61C}",
            "\u{2066}\u{2069}",
            "\u{FEFF}\u{2060}\u{AD}",
            "\u{200D}\u{FE0F}",
            "\u{3164}\u{115F}\u{FFA0}",
            "\u{2800}",
            "\u{3000}\u{A0}\u{2028}",
            "\u{E0041}\u{E007F}",
            "\u{1D173}",
            "\u{7}\u{85}",
        ] {
            assert!(!has_visible_text(invisible), "{invisible:?}");
        }
        for visible in [
            "a",
            "\u{200B}x\u{200B}",
            "\u{202E}abc",
            "🌙",
            "\u{1F44D}\u{1F3FD}",
            "日本",
            "\u{301}",
            "\u{E000}",
            "١",
        ] {
            assert!(has_visible_text(visible), "{visible:?}");
        }
    }

    #[test]
    fn bidi_controls_are_paired() {
        const LRE: char = '\u{202A}';
        const RLE: char = '\u{202B}';
        const RLO: char = '\u{202E}';
        const LRI: char = '\u{2066}';
        const RLI: char = '\u{2067}';
        const FSI: char = '\u{2068}';
        let cases: &[(String, String)] = &[
            // Nothing to do: borrowed as is, marks and RTL letters included.
            ("plain".into(), "plain".into()),
            ("\u{200F}שלום\u{200E}".into(), "\u{200F}שלום\u{200E}".into()),
            // Unclosed openers are closed at the end, innermost first.
            (format!("{RLO}gnp.exe"), format!("{RLO}gnp.exe{PDF}")),
            (format!("{RLI}a{RLE}b"), format!("{RLI}a{RLE}b{PDF}{PDI}")),
            (format!("{FSI}{LRE}x"), format!("{FSI}{LRE}x{PDF}{PDI}")),
            // Closers that close nothing are dropped.
            (format!("a{PDF}b{PDI}c"), "abc".into()),
            (format!("{PDI}{PDF}"), String::new()),
            // Paired text stays as written.
            (
                format!("{RLO}ab{PDF} {LRI}c{PDI}"),
                format!("{RLO}ab{PDF} {LRI}c{PDI}"),
            ),
            // A PDF cannot close an embedding outside the isolate it is in.
            (
                format!("{RLE}a{LRI}b{PDF}c"),
                format!("{RLE}a{LRI}bc{PDI}{PDF}"),
            ),
            // A PDI closes the embeddings opened inside its isolate.
            (
                format!("{RLI}{RLO}a{PDI}b"),
                format!("{RLI}{RLO}a{PDF}{PDI}b"),
            ),
            // A PDI with only embeddings open closes nothing.
            (format!("{RLO}a{PDI}b"), format!("{RLO}ab{PDF}")),
            // Each paragraph is closed on its own.
            (
                format!("{RLO}a\nb{RLI}c"),
                format!("{RLO}a{PDF}\nb{RLI}c{PDI}"),
            ),
            (
                format!("{RLO}a\u{2029}{PDF}b"),
                format!("{RLO}a{PDF}\u{2029}b"),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(pair_bidi_controls(input), *want, "{input:?}");
        }
        assert!(matches!(
            pair_bidi_controls("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
