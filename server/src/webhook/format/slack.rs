//! Slack incoming webhook with Block Kit
//! (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks, reference/block-kit).

use super::{
    back_text, fit, handed_to_text, item_title, link_url, more_items, no_mention, what_happened,
};
use crate::webhook::event::{Event, EventItem};
use serde_json::{json, Value};

/// Block Kit's limits: a message's blocks, a header's plain text, a section's text, one of a
/// section's fields (reference/block-kit/blocks).
const MAX_BLOCKS: usize = 50;
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;

/// Slack's own escaping for every text object ("Escaping text", reference/surfaces/formatting):
/// `&`, `<`, `>` as entities, so no `<!channel>`, `<@U…>` or link comes from user text; and
/// `@` defused as for Mattermost.
fn escape(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => no_mention(c, out),
    }
}

/// `verbatim`: Slack then links no bare URL or channel name and parses no bare mention in it
/// (composition-objects/text-object); StandIn's own `<url|title>` links still work.
fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": text, "verbatim": true })
}

fn section(text: String) -> Value {
    json!({ "type": "section", "text": mrkdwn(text) })
}

/// "*Label*" and the user's text under it, within `max`.
fn labelled(label: &str, raw: &str, max: usize) -> String {
    let head = format!("*{label}*\n");
    let text = fit(raw, escape, max - head.len());
    head + &text
}

/// One item: its link, state and hand-off on the first line, its note under it.
fn item(item: &EventItem) -> Value {
    let mut line = format!(
        "<{}|{}> · {}",
        link_url(&item.url),
        fit(item_title(item), escape, 400),
        item.state.label()
    );
    if let Some(to) = &item.handoff {
        line += &format!(" → {}", fit(&handed_to_text(to), escape, 300));
    }
    if !item.note.is_empty() {
        line += "\n";
        let room = SECTION_MAX.saturating_sub(super::text_len(&line));
        line += &fit(&item.note, escape, room);
    }
    section(line)
}

pub(super) fn payload(e: &Event) -> Value {
    let title = format!("{} {}", e.member.display_name, what_happened(e.kind));
    let headline = match &e.emoji {
        Some(emoji) => format!("{emoji} {}", e.headline),
        None => e.headline.clone(),
    };
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": fit(&title, escape, HEADER_MAX), "emoji": true },
    })];
    if !e.headline.is_empty() {
        blocks.push(section(format!(
            "*{}*",
            fit(&headline, escape, SECTION_MAX - 2)
        )));
    }
    if !e.note.is_empty() {
        blocks.push(section(fit(&e.note, escape, SECTION_MAX)));
    }
    let fields: Vec<Value> = [
        e.back_at
            .as_ref()
            .map(|b| labelled("Back", &back_text(b), FIELD_MAX)),
        e.cover
            .as_ref()
            .map(|c| labelled("Cover", &handed_to_text(c), FIELD_MAX)),
    ]
    .into_iter()
    .flatten()
    .map(mrkdwn)
    .collect();
    if !fields.is_empty() {
        blocks.push(json!({ "type": "section", "fields": fields }));
    }
    if !e.blockers.is_empty() {
        blocks.push(section(labelled("Blockers", &e.blockers, SECTION_MAX)));
    }
    // Every item when they fit; otherwise one block is kept to say how many are left out.
    let room = MAX_BLOCKS - blocks.len();
    let shown = if e.items.len() <= room {
        e.items.len()
    } else {
        room - 1
    };
    blocks.extend(e.items[..shown].iter().map(item));
    if shown < e.items.len() {
        blocks.push(json!({
            "type": "context",
            "elements": [mrkdwn(more_items(e.items.len() - shown))],
        }));
    }
    // The notification's text, also shown where blocks cannot be.
    let text = if e.headline.is_empty() {
        fit(&title, escape, SECTION_MAX)
    } else {
        fit(&format!("{title}: {headline}"), escape, SECTION_MAX)
    };
    json!({ "text": text, "blocks": blocks })
}
