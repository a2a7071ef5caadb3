//! One [`Event`] as each service's webhook wants it. Every renderer is pure: it escapes user
//! text for its service, keeps to the service's documented limits and says what it cut
//! ("… 3 more items").

mod discord;
mod json;
mod mattermost;
mod slack;
mod teams;

use super::event::{BackAt, Event, EventItem, EventKind, HandedTo};
use standin::time::Timestamp;

pub(crate) use json::openapi_webhook;
pub use json::{signature, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Where a webhook posts, and so how its body is shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Slack incoming webhook, Block Kit.
    Slack,
    /// Mattermost incoming webhook (Slack-compatible attachments).
    Mattermost,
    /// Discord webhook, one embed.
    Discord,
    /// Microsoft Teams Workflows webhook, one Adaptive Card.
    Teams,
    /// The documented, signed [`Event`] itself.
    Json,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Slack,
        Format::Mattermost,
        Format::Discord,
        Format::Teams,
        Format::Json,
    ];

    /// The name `webhook add --kind` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Slack => "slack",
            Format::Mattermost => "mattermost",
            Format::Discord => "discord",
            Format::Teams => "teams",
            Format::Json => "json",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// One attempt to send an event: its stable id, when it is sent, and the endpoint's secret.
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    pub id: &'a str,
    pub sent_at: Timestamp,
    /// Signs the `json` format's body; the chat formats carry their secret in the URL.
    pub secret: Option<&'a str>,
}

/// A request body ready to POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub content_type: &'static str,
    /// Headers beyond `Content-Type`.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// `event` as `format`'s endpoint takes it.
pub fn render(format: Format, event: &Event, delivery: &Delivery) -> Rendered {
    let chat = |value: serde_json::Value| Rendered {
        content_type: "application/json",
        headers: Vec::new(),
        body: value.to_string().into_bytes(),
    };
    match format {
        Format::Slack => chat(slack::payload(event)),
        Format::Mattermost => chat(mattermost::payload(event)),
        Format::Discord => chat(discord::payload(event)),
        Format::Teams => chat(teams::payload(event)),
        Format::Json => json::render(event, delivery),
    }
}

/// How a service counts a text's length: UTF-16 code units, which is what JavaScript-based
/// services count and never less than the code points the others count.
pub(crate) fn text_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `raw` escaped one character at a time by `escape`, cut to at most `max` code units
/// (see [`text_len`]) with "…" when it does not fit; never splits an escape.
pub(crate) fn fit(raw: &str, escape: fn(char, &mut String), max: usize) -> String {
    let mut out = String::new();
    raw.chars().for_each(|c| escape(c, &mut out));
    if text_len(&out) <= max {
        return out;
    }
    out.clear();
    let (mut piece, mut used) = (String::new(), 0);
    for c in raw.chars() {
        piece.clear();
        escape(c, &mut piece);
        let n = text_len(&piece);
        // One unit stays free for the ellipsis.
        if used + n + 1 > max {
            break;
        }
        out.push_str(&piece);
        used += n;
    }
    out.push('…');
    out
}

/// Slack's escaping (and Mattermost's, after Markdown's): a word joiner after `@`, so no
/// `@channel`, `@here` or `@name` in user text notifies anyone.
pub(crate) fn no_mention(c: char, out: &mut String) {
    out.push(c);
    if c == '@' {
        out.push('\u{2060}');
    }
}

/// CommonMark's escaping (§2.4: any ASCII punctuation may be backslash-escaped), which
/// Discord's parser follows too: user text never becomes formatting, a link or a mention.
pub(crate) fn markdown(c: char, out: &mut String) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

/// Text as is (the service does not parse it).
pub(crate) fn verbatim(c: char, out: &mut String) {
    out.push(c);
}

/// "Ana Lima is out of office" without the name: what follows the member's name.
pub(crate) fn what_happened(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Offline => "is offline",
        EventKind::OutOfOffice => "is out of office",
        EventKind::Back => "is back",
        EventKind::Handoff => "handed work on",
    }
}

/// "Mon 7 Dec 2026, 09:00 Asia/Tokyo (Mon 7 Dec, 00:00 UTC)": StandIn's own text (the zone is
/// one chrono-tz knows), so it needs no escaping.
pub(crate) fn back_text(back: &BackAt) -> String {
    let local = chrono::DateTime::parse_from_rfc3339(&back.local)
        .map(|t| t.format("%a %-d %b %Y, %H:%M").to_string())
        .unwrap_or_default();
    let utc = chrono::DateTime::from_timestamp_millis(back.utc.millis())
        .map(|t| t.format("%a %-d %b, %H:%M UTC").to_string())
        .unwrap_or_default();
    format!("{local} {} ({utc})", back.timezone)
}

/// "Bob Stone (@bstone)": a hand-off's name with their handle on the item's tracker.
pub(crate) fn handed_to_text(to: &HandedTo) -> String {
    match &to.handle {
        Some(handle) => format!("{} (@{handle})", to.name),
        None => to.name.clone(),
    }
}

/// An item's title, or its link when it has none.
pub(crate) fn item_title(item: &EventItem) -> &str {
    if item.title.trim().is_empty() {
        &item.url
    } else {
        &item.title
    }
}

/// What a truncated list says about the rest.
pub(crate) fn more_items(n: usize) -> String {
    match n {
        1 => "… 1 more item".to_owned(),
        n => format!("… {n} more items"),
    }
}

/// A link's URL with the characters that would end it in a service's link syntax
/// (Markdown's `(…)`, Slack's `<…|…>`) percent-encoded; item links are http(s) without
/// white space (the server validates them).
pub(crate) fn link_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_whole_escapes_and_says_so() {
        assert_eq!(fit("a<b", markdown, 4), "a\\<b");
        assert_eq!(fit("a<bc", markdown, 4), "a\\<…");
        // The escape `\<` does not fit with the ellipsis: it is left out whole.
        assert_eq!(fit("a<b", markdown, 3), "a…");
        assert_eq!(fit("🌴🌴🌴", verbatim, 5), "🌴🌴…");
        assert_eq!(text_len(&fit(&"x".repeat(100), verbatim, 10)), 10);
        assert_eq!(fit("@here", no_mention, 10), "@\u{2060}here");
    }

    #[test]
    fn link_urls_cannot_close_their_link() {
        assert_eq!(
            link_url("https://x.example/a_(b)|<c>[d]"),
            "https://x.example/a_%28b%29%7C%3Cc%3E%5Bd%5D"
        );
    }
}
