//! Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
//! received"): a message whose one attachment is an Adaptive Card
//! (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference).
//!
//! User text goes only into `TextRun`s of `RichTextBlock`s, which Adaptive Cards never parse as
//! Markdown (adaptivecards.io/explorer/TextRun.html), so it cannot format, link or mention;
//! the card's own labels are `TextRun`s too.

use super::{back_text, fit, handed_to_text, item_title, more_items, verbatim, what_happened};
use crate::webhook::event::{Event, EventItem};
use serde_json::{json, Value};

/// Teams refuses a message above about 28 KB, the whole request counted. The texts are cut
/// short enough (a declaration's own limits, in characters) that the parts before the items
/// stay far below it even at three bytes a character.
const MESSAGE_MAX_BYTES: usize = 28_000;

/// The card's version: RichTextBlock needs 1.2; Teams renders up to 1.5.
const CARD_VERSION: &str = "1.4";

fn run(text: String) -> Value {
    json!({ "type": "TextRun", "text": text })
}

fn block(inlines: Vec<Value>) -> Value {
    json!({ "type": "RichTextBlock", "inlines": inlines })
}

fn labelled(label: &str, text: &str) -> Value {
    let mut label = run(format!("{label}: "));
    label["weight"] = json!("Bolder");
    block(vec![label, run(fit(text, verbatim, 1000))])
}

fn item(item: &EventItem) -> Vec<Value> {
    let mut title = run(fit(item_title(item), verbatim, 200));
    title["selectAction"] = json!({ "type": "Action.OpenUrl", "url": item.url });
    let mut inlines = vec![title, run(format!(" · {}", item.state.label()))];
    if let Some(to) = &item.handoff {
        inlines.push(run(format!(
            " → {}",
            fit(&handed_to_text(to), verbatim, 300)
        )));
    }
    let mut blocks = vec![block(inlines)];
    if !item.note.is_empty() {
        let mut note = run(fit(&item.note, verbatim, 500));
        note["isSubtle"] = json!(true);
        blocks.push(block(vec![note]));
    }
    blocks
}

fn message(body: Vec<Value>) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": CARD_VERSION,
                "body": body,
            },
        }],
    })
}

/// Serialized size of a JSON value.
fn size(v: &Value) -> usize {
    v.to_string().len()
}

pub(super) fn payload(e: &Event) -> Value {
    let mut title = run(fit(
        &format!("{} {}", e.member.display_name, what_happened(e.kind)),
        verbatim,
        200,
    ));
    title["size"] = json!("Large");
    title["weight"] = json!("Bolder");
    let mut body = vec![block(vec![title])];
    if !e.headline.is_empty() {
        let emoji = e
            .emoji
            .as_deref()
            .map_or_else(String::new, |m| format!("{m} "));
        let mut headline = run(fit(&format!("{emoji}{}", e.headline), verbatim, 300));
        headline["weight"] = json!("Bolder");
        body.push(block(vec![headline]));
    }
    if !e.note.is_empty() {
        body.push(block(vec![run(fit(&e.note, verbatim, 2000))]));
    }
    if let Some(back) = &e.back_at {
        body.push(labelled("Back", &back_text(back)));
    }
    if let Some(cover) = &e.cover {
        body.push(labelled("Cover", &handed_to_text(cover)));
    }
    if !e.blockers.is_empty() {
        body.push(labelled("Blockers", &e.blockers));
    }
    let items: Vec<Vec<Value>> = e.items.iter().map(item).collect();
    // Each block adds its size and a comma; room for the "… N more items" line when not all fit.
    let added = |blocks: &[Value]| blocks.iter().map(|b| size(b) + 1).sum::<usize>();
    let mut used = size(&message(body.clone()));
    let all = used + items.iter().map(|i| added(i)).sum::<usize>();
    let budget = if all <= MESSAGE_MAX_BYTES {
        MESSAGE_MAX_BYTES
    } else {
        MESSAGE_MAX_BYTES - 200
    };
    let mut shown = 0;
    for blocks in items {
        if used + added(&blocks) > budget {
            break;
        }
        used += added(&blocks);
        body.extend(blocks);
        shown += 1;
    }
    if shown < e.items.len() {
        let mut more = run(more_items(e.items.len() - shown));
        more["isSubtle"] = json!(true);
        body.push(block(vec![more]));
    }
    message(body)
}
