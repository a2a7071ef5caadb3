//! Every limit on a declaration and on settings, defined once: the popup, the options page and
//! the team server all validate against these numbers.

/// A bound on one text field: what users count ("characters" are grapheme clusters) and a byte
/// cap, because one grapheme can carry unbounded combining marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextLimit {
    pub max_graphemes: usize,
    pub max_bytes: usize,
}

const fn text(max_graphemes: usize) -> TextLimit {
    TextLimit {
        max_graphemes,
        // Room for emoji sequences (a family emoji is 25 bytes) in short fields, still bounded.
        max_bytes: max_graphemes * 4 + 2048,
    }
}

pub const HEADLINE: TextLimit = text(80);
pub const EMOJI: TextLimit = TextLimit {
    max_graphemes: 1,
    max_bytes: 64,
};
pub const NOTE: TextLimit = text(2000);
pub const BLOCKERS: TextLimit = text(1000);
pub const ITEM_TITLE: TextLimit = text(200);
pub const ITEM_NOTE: TextLimit = text(500);
/// A person named as cover or hand-off: a teammate's member id, handle or display name.
pub const PERSON: TextLimit = text(100);
pub const DISPLAY_NAME: TextLimit = text(100);
/// Jira and Linear names are free text; GitHub and GitLab logins have their own syntax rules.
pub const HANDLE: TextLimit = text(128);

pub const MAX_ITEMS: usize = 50;
/// Browsers and servers commonly cap URLs near 2 KiB; anything longer is not a tracker link.
pub const MAX_URL_BYTES: usize = 2048;
pub const MAX_CANONICAL_REF_BYTES: usize = 512;
/// IANA names are short ("America/Argentina/ComodRivadavia" is among the longest).
pub const MAX_TIMEZONE_BYTES: usize = 64;
/// Back-at and expiry further out than this are typos, not plans.
pub const MAX_FUTURE_MS: i64 = 366 * 24 * 60 * 60 * 1000;
/// The end-of-day reminder comes at most this long before the end of the working day.
pub const MAX_REMINDER_LEAD_MINUTES: u32 = 240;
/// Local declaration history kept in `storage.local`.
pub const HISTORY_LEN: usize = 20;
/// Whole-request cap on the server.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A declaration's JSON as the extension sends it (compact, as serde_json writes it) is at most this
/// long: the per-field limits allow far more in sum (50 items of long links or CJK text), so
/// the validator checks the whole. Every declaration that validates fits [`MAX_BODY_BYTES`],
/// with room for a client that writes the same declaration less compactly.
pub const MAX_DECLARATION_BYTES: usize = 60 * 1024;
const _: () = assert!(MAX_DECLARATION_BYTES <= MAX_BODY_BYTES);
