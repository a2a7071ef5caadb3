//! Discord webhook with one embed (discord.com/developers/docs/resources/webhook#execute-webhook,
//! resources/message#embed-object-embed-limits).

use super::{
    back_text, fit, handed_to_text, item_title, link_url, markdown, more_items, text_len,
    what_happened,
};
use crate::webhook::event::{Event, EventItem, EventKind};
use serde_json::{json, Value};

/// Embed limits: title, description, fields and a field's name and value, and the sum of
/// every title, description, field name, field value, footer and author name.
const TITLE_MAX: usize = 256;
const FIELDS_MAX: usize = 25;
const FIELD_NAME_MAX: usize = 256;
const FIELD_VALUE_MAX: usize = 1024;
const TOTAL_MAX: usize = 6000;

/// A link whose URL would take more than this of a field's value is left out (the title
/// still names the item).
const LINK_MAX: usize = 600;

fn field(name: String, value: String, inline: bool) -> (usize, Value) {
    let size = text_len(&name) + text_len(&value);
    (
        size,
        json!({ "name": name, "value": value, "inline": inline }),
    )
}

fn item(item: &EventItem) -> (usize, Value) {
    let url = link_url(&item.url);
    let mut value = if text_len(&url) <= LINK_MAX {
        format!("[Open]({url}) · {}", item.state.label())
    } else {
        item.state.label().to_owned()
    };
    if let Some(to) = &item.handoff {
        value += &format!(" → {}", fit(&handed_to_text(to), markdown, 200));
    }
    if !item.note.is_empty() {
        value += "\n";
        let room = FIELD_VALUE_MAX - text_len(&value);
        value += &fit(&item.note, markdown, room);
    }
    field(
        fit(item_title(item), markdown, FIELD_NAME_MAX),
        value,
        false,
    )
}

fn color(kind: EventKind) -> u32 {
    match kind {
        EventKind::Offline => 0x95a5a6,
        EventKind::OutOfOffice => 0xe67e22,
        EventKind::Back => 0x2ecc71,
        EventKind::Handoff => 0x3498db,
    }
}

pub(super) fn payload(e: &Event) -> Value {
    let title = fit(
        &format!("{} {}", e.member.display_name, what_happened(e.kind)),
        markdown,
        TITLE_MAX,
    );
    let mut description = Vec::new();
    if !e.headline.is_empty() {
        let emoji = e
            .emoji
            .as_deref()
            .map_or_else(String::new, |m| fit(m, markdown, 64) + " ");
        description.push(format!("{emoji}**{}**", fit(&e.headline, markdown, 600)));
    }
    if !e.note.is_empty() {
        description.push(fit(&e.note, markdown, 1800));
    }
    if !e.blockers.is_empty() {
        description.push(format!(
            "**Blockers:** {}",
            fit(&e.blockers, markdown, 1000)
        ));
    }
    let description = description.join("\n\n");
    let mut used = text_len(&title) + text_len(&description);
    let mut fields: Vec<Value> = Vec::new();
    let named = [
        e.back_at.as_ref().map(|b| ("Back", back_text(b))),
        e.cover
            .as_ref()
            .map(|c| ("Cover", fit(&handed_to_text(c), markdown, 400))),
    ];
    for (name, text) in named.into_iter().flatten() {
        let (size, f) = field(name.to_owned(), text, true);
        used += size;
        fields.push(f);
    }
    let items: Vec<(usize, Value)> = e.items.iter().map(item).collect();
    // Every item when they fit; otherwise room for a last field saying how many are left out.
    let reserve = (FIELDS_MAX - 1, TOTAL_MAX - 40);
    let all = used + items.iter().map(|(size, _)| size).sum::<usize>();
    let (max_fields, max_total) = if fields.len() + items.len() <= FIELDS_MAX && all <= TOTAL_MAX {
        (FIELDS_MAX, TOTAL_MAX)
    } else {
        reserve
    };
    let mut shown = 0;
    for (size, f) in items {
        if fields.len() == max_fields || used + size > max_total {
            break;
        }
        used += size;
        fields.push(f);
        shown += 1;
    }
    if shown < e.items.len() {
        fields.push(field("More".to_owned(), more_items(e.items.len() - shown), false).1);
    }
    let mut embed = json!({
        "title": title,
        "color": color(e.kind),
        "timestamp": e.at,
        "fields": fields,
    });
    if !description.is_empty() {
        embed["description"] = json!(description);
    }
    // Nothing in the post may ping anyone, whatever the text says (escaping aside).
    json!({ "embeds": [embed], "allowed_mentions": { "parse": [] } })
}
