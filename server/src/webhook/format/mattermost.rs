//! Mattermost incoming webhook (developers.mattermost.com/integrate/webhooks/incoming): the
//! Slack-compatible payload's `text`, which Mattermost renders as Markdown.

use super::{
    back_text, fit, handed_to_text, item_title, link_url, markdown, more_items, no_mention,
    text_len, what_happened,
};
use crate::webhook::event::{Event, EventItem};
use serde_json::{json, Value};

/// A post's longest message: longer webhook text is split into several posts.
const TEXT_MAX: usize = 16383;

/// Markdown's escaping, and `@` defused too: Mattermost finds mentions in the raw text, where
/// a backslash before `@` is no sure stop.
fn escape(c: char, out: &mut String) {
    if c == '@' {
        out.push('\\');
        no_mention(c, out);
    } else {
        markdown(c, out);
    }
}

fn item(item: &EventItem) -> String {
    let mut line = format!(
        "- [{}]({}) · {}",
        fit(item_title(item), escape, 600),
        link_url(&item.url),
        item.state.label()
    );
    if let Some(to) = &item.handoff {
        line += &format!(" → {}", fit(&handed_to_text(to), escape, 300));
    }
    if !item.note.is_empty() {
        line += &format!("\n  {}", fit(&item.note.replace('\n', " "), escape, 2000));
    }
    line + "\n"
}

pub(super) fn payload(e: &Event) -> Value {
    let mut text = format!(
        "#### {} {}\n",
        fit(&e.member.display_name, escape, 300),
        what_happened(e.kind)
    );
    if !e.headline.is_empty() {
        let emoji = e
            .emoji
            .as_deref()
            .map_or_else(String::new, |m| fit(m, escape, 64) + " ");
        text += &format!("{emoji}**{}**\n", fit(&e.headline, escape, 800));
    }
    if !e.note.is_empty() {
        text += &format!("{}\n", fit(&e.note, escape, 5000));
    }
    if let Some(back) = &e.back_at {
        text += &format!("**Back:** {}\n", back_text(back));
    }
    if let Some(cover) = &e.cover {
        text += &format!("**Cover:** {}\n", fit(&handed_to_text(cover), escape, 300));
    }
    if !e.blockers.is_empty() {
        text += &format!("**Blockers:** {}\n", fit(&e.blockers, escape, 2500));
    }
    if !e.items.is_empty() {
        text.push('\n');
    }
    let lines: Vec<String> = e.items.iter().map(item).collect();
    // Room for the closing "… N more items" line, unless everything fits.
    let all = text_len(&text) + lines.iter().map(|l| text_len(l)).sum::<usize>();
    let budget = if all <= TEXT_MAX {
        TEXT_MAX
    } else {
        TEXT_MAX - 24
    };
    let mut shown = 0;
    for line in &lines {
        if text_len(&text) + text_len(line) > budget {
            break;
        }
        text += line;
        shown += 1;
    }
    if shown < lines.len() {
        text += &format!("_{}_", more_items(lines.len() - shown));
    }
    json!({ "text": text })
}
