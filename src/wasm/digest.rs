//! "Since you were away" in the popup, and the toolbar badge's count of hand-offs waiting for
//! the user. `crate::digest` decides what is listed, in which order, and whether the popup opens
//! on it; this module reads the team cache, places the digest at the top of the popup, and
//! sends acknowledgements through the background worker (which posts them to the server).
//!
//! Control ids (stable; tests drive them):
//! - `digest-open` ("Since you were away", shown while the digest is closed and has entries)
//! - `digest` (section), `digest-close` ("Done"), `digest-status` (what went wrong), one
//!   `li.digest-entry[data-member=<id>]` per declaration; an acknowledge button is
//!   `button.ack[data-member=<declarer id>]` with `data-item=<item key>` (none for the cover),
//!   and becomes `.acked` "Acknowledged 09:12"
//! - `own-acks`: under the form's work items, "acknowledged by Bob 09:12" for the user's own
//!   hand-offs

use super::dom::{self, now};
use super::ext::{self, Area, ExtError};
use super::popup_team::{details_text, fill_member_head};
use super::zone::Zone;
use crate::api::{item_key, AckRequest};
use crate::connect::Connection;
use crate::digest::{acks_of_own, digest, opens_on_digest, unacknowledged_count, Entry};
use crate::display::{displayed, shown, time_or_date_text};
use crate::item_ref::parse_http_url;
use crate::message::{ErrorReply, Request, Response};
use crate::model::{DeclaredState, Settings, WorkItem};
use crate::reminder::current_shift;
use crate::store::{
    CONNECTION_KEY, DIGEST_SEEN_KEY, HISTORY_KEY, SETTINGS_KEY, STATE_KEY, TEAM_KEY,
};
use crate::team::{roster_row, TeamCache};
use crate::time::{Timestamp, ZoneOffsets};
use std::rc::Rc;
use web_sys::Element;

/// The badge's count of hand-offs addressed to the user and not yet acknowledged (0 when not
/// connected).
pub async fn unacknowledged(now: Timestamp) -> usize {
    let stored = ext::read(Area::Local, &[CONNECTION_KEY, TEAM_KEY]).await;
    let connection: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
    let Some(connection) = connection else {
        return 0;
    };
    let cache: TeamCache = stored.or_default(TEAM_KEY);
    unacknowledged_count(&cache, &connection.member.id, now)
}

/// What the popup's digest reads.
struct View {
    me: String,
    cache: TeamCache,
    since: Option<Timestamp>,
    /// When the user last closed the digest.
    seen: Option<Timestamp>,
    zone: Rc<Zone>,
}

impl View {
    async fn load(zone: Rc<Zone>) -> Option<View> {
        let keys = [
            CONNECTION_KEY,
            STATE_KEY,
            HISTORY_KEY,
            TEAM_KEY,
            DIGEST_SEEN_KEY,
        ];
        let stored = ext::read(Area::Local, &keys).await;
        let connection: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
        let state: Option<DeclaredState> = stored.get(STATE_KEY).ok().flatten();
        let history: Vec<DeclaredState> = stored.or_default(HISTORY_KEY);
        let since = state
            .iter()
            .chain(history.first())
            .map(|s| s.declared_at)
            .max();
        Some(View {
            me: connection?.member.id,
            cache: stored.or_default(TEAM_KEY),
            since,
            seen: stored.get(DIGEST_SEEN_KEY).ok().flatten(),
            zone,
        })
    }
}

/// Adds the digest (open when the user is coming online to news, else behind its button) and
/// the acknowledgements of the user's own hand-offs to the popup.
pub async fn mount(app: &Element, zone: Rc<Zone>) -> Result<(), ExtError> {
    let Some(view) = View::load(Rc::clone(&zone)).await else {
        return Ok(());
    };
    let settings: Settings = ext::read(Area::Sync, &[SETTINGS_KEY])
        .await
        .or_default(SETTINGS_KEY);
    let opened_at = now();
    let in_hours = current_shift(&settings.working_hours, zone.as_ref(), opened_at).is_some();
    let open = opens_on_digest(
        &digest(&view.cache, &view.me, view.since, opened_at),
        view.seen,
        in_hours,
    );
    if let Some(digest) = dom::fragment("digest-section") {
        let _ = app.prepend_with_node_1(&digest);
    }
    show(&view, open);
    show_own_acks(&view);

    let clicks = Rc::clone(&zone);
    dom::on_button_click(app, move |button| {
        let zone = Rc::clone(&clicks);
        match button.id().as_str() {
            "digest-open" => dom::spawn(reload(zone, true)),
            "digest-close" => dom::spawn(async move {
                dom::set_hidden("digest", true);
                let json = ext::encode(&now());
                let _ = ext::set(Area::Local, &[(DIGEST_SEEN_KEY, &json)]).await;
                reload(zone, false).await;
                dom::focus("status");
            }),
            _ if button.class_list().contains("ack") => {
                let request = AckRequest {
                    member_id: button.get_attribute("data-member").unwrap_or_default(),
                    item: button.get_attribute("data-item"),
                };
                dom::spawn(acknowledge(request, zone));
            }
            _ => {}
        }
    });
    if open {
        dom::focus("digest-close");
    }
    Ok(())
}

async fn reload(zone: Rc<Zone>, open: bool) {
    if let Some(view) = View::load(zone).await {
        show(&view, open);
        show_own_acks(&view);
    }
}

async fn acknowledge(request: AckRequest, zone: Rc<Zone>) {
    dom::set_status("digest-status", "Sending\u{2026}", false);
    match ext::send_message::<_, Response, ErrorReply>(&Request::Acknowledge(request)).await {
        Ok(Ok(Response::Acknowledged)) => {
            // Redrawn first: the status line is part of what is redrawn.
            reload(zone, true).await;
            dom::set_status("digest-status", "Acknowledged.", false);
        }
        reply => dom::show_failure("digest-status", "", reply),
    }
}

/// Renders the digest into its section; `open` shows it, else only its button (when it has
/// anything to show).
fn show(view: &View, open: bool) {
    let Some(section) = dom::by_id("digest") else {
        return;
    };
    let now = now();
    let d = digest(&view.cache, &view.me, view.since, now);
    let intro = match view.since {
        Some(since) => format!(
            "Declarations since yours ({}), hand-offs to you first.",
            time_or_date_text(since, now, view.zone.as_ref())
        ),
        None => "Your teammates' declarations, hand-offs to you first.".to_string(),
    };
    dom::fill(&section, "intro", &intro);
    let mut entries: Vec<Element> = d
        .entries
        .iter()
        .filter_map(|entry| entry_item(entry, view, now))
        .collect();
    if d.entries.is_empty() {
        entries.extend(dom::row("digest-none"));
    }
    if let Some(list) = dom::slot(&section, "entries") {
        dom::set_children(&list, entries);
    }
    dom::set_text("digest-status", "");
    dom::set_hidden("digest", !open);
    dom::set_hidden("digest-open", open || d.entries.is_empty());
    let label = match d.unacknowledged() {
        0 => "Since you were away".to_string(),
        n => format!("Since you were away ({n} to acknowledge)"),
    };
    dom::set_text("digest-open", &label);
}

/// "Acknowledge", or "Acknowledged 09:12" once done.
fn ack_control(
    entry: &Entry,
    item: Option<&str>,
    acked: Option<Timestamp>,
    view: &View,
) -> Option<Element> {
    match acked {
        Some(at) => dom::text_row(
            "acked",
            &format!(
                "Acknowledged {}",
                time_or_date_text(at, now(), view.zone.as_ref())
            ),
        ),
        None => {
            let button = dom::row("ack-button")?;
            let _ = button.set_attribute("data-member", &entry.member.id);
            if let Some(item) = item {
                let _ = button.set_attribute("data-item", item);
            }
            Some(button)
        }
    }
}

fn entry_item(entry: &Entry, view: &View, now: Timestamp) -> Option<Element> {
    let li = dom::row("digest-entry")?;
    let _ = li.set_attribute("data-member", &entry.member.id);
    let member_zone = dom::zone_of(&entry.member.timezone);
    let row = roster_row(
        &view.cache,
        entry.member,
        now,
        view.zone.as_ref(),
        member_zone.as_ref(),
    );
    let d = &displayed(&entry.state.declaration);
    let emoji = d
        .emoji
        .as_deref()
        .map(|e| format!("{e} "))
        .unwrap_or_default();
    fill_member_head(
        &li,
        &entry.member.display_name,
        false,
        Some(d.status),
        entry.expired,
    );
    dom::fill_user(&li, "headline", &format!("{emoji}{}", d.headline));
    let details = details_text(&[
        row.declared.clone(),
        row.back.clone(),
        Some(row.now_there.clone()),
    ]);
    dom::fill(&li, "details", &details);
    let note = (!d.note.trim().is_empty()).then(|| shown(&d.note));
    dom::fill_or_drop(&li, "note", note);
    let blockers = (!d.blockers.trim().is_empty()).then(|| format!("Blockers: {}", d.blockers));
    dom::fill_or_drop(&li, "blockers", blockers);
    match (&d.cover, dom::slot(&li, "cover")) {
        (Some(cover), Some(p)) => match entry.handoffs.iter().find(|h| h.item.is_none()) {
            Some(h) => {
                let _ = p.append_with_str_1("You cover for them. ");
                if let Some(ack) = ack_control(entry, None, h.acked_at, view) {
                    let _ = p.append_with_node_1(&ack);
                }
            }
            None => p.set_text_content(Some(&format!("Cover: {cover}"))),
        },
        (None, Some(p)) => p.remove(),
        (_, None) => {}
    }
    if let Some(list) = dom::slot(&li, "items") {
        if d.items.is_empty() {
            list.remove();
        } else {
            let lines = d
                .items
                .iter()
                .filter_map(|item| item_line(entry, item, view, now));
            dom::set_children(&list, lines.collect());
        }
    }
    Some(li)
}

fn item_line(entry: &Entry, item: &WorkItem, view: &View, now: Timestamp) -> Option<Element> {
    let li = dom::row("digest-item")?;
    let title = if item.title.trim().is_empty() {
        item.url.as_str()
    } else {
        item.title.as_str()
    };
    // Only http(s) links become links (a declaration is someone else's input).
    if parse_http_url(&item.url).is_some() {
        dom::fill_or_drop(&li, "title", None);
        dom::fill_user(&li, "link", title);
        if let Some(link) = dom::slot(&li, "link") {
            let _ = link.set_attribute("href", &item.url);
        }
    } else {
        dom::fill_or_drop(&li, "link", None);
        dom::fill_user(&li, "title", title);
    }
    let _ = li.append_with_str_1(&format!(" \u{b7} {}", item.state.label()));
    match (entry.handoff(item), &item.handoff_to) {
        (Some(h), _) => {
            let _ = li.append_with_str_1(" \u{b7} handed to you ");
            if let Some(ack) = ack_control(entry, Some(item_key(item)), h.acked_at, view) {
                let _ = li.append_with_node_1(&ack);
            }
        }
        (None, Some(to)) => {
            let _ = li.append_with_str_1(&format!(" \u{b7} handed to {to}"));
        }
        (None, None) => {}
    }
    if !item.note.trim().is_empty() {
        if let Some(note) = dom::text_row("digest-note", &shown(&item.note)) {
            let _ = li.append_with_node_1(&note);
        }
    }
    for ack in entry
        .acks
        .iter()
        .filter(|a| a.item.as_deref() == Some(item_key(item)) && a.by != view.me)
    {
        let by = view
            .cache
            .members
            .get(&ack.by)
            .map_or(ack.by.as_str(), |m| m.display_name.as_str());
        let text = format!(
            "acknowledged by {} {}",
            shown(by),
            time_or_date_text(ack.at, now, view.zone.as_ref())
        );
        if let Some(line) = dom::text_row("digest-acked-by", &text) {
            let _ = li.append_with_node_1(&line);
        }
    }
    Some(li)
}

/// "“Fix login” acknowledged by Bob 09:12" under the form's work items, for the user's own
/// current declaration.
fn show_own_acks(view: &View) {
    let list = match (dom::by_id("own-acks"), dom::by_id("items")) {
        (Some(list), _) => list,
        (None, Some(items)) => {
            let Some(list) = dom::row("own-acks-list") else {
                return;
            };
            let _ = items.after_with_node_1(&list);
            list
        }
        (None, None) => return,
    };
    let now = now();
    let own = view
        .cache
        .states
        .get(&view.me)
        .and_then(|s| s.state.as_ref());
    let lines = acks_of_own(&view.cache, &view.me)
        .into_iter()
        .filter_map(|(item, by, at)| {
            let what = match item {
                None => "Your cover".to_string(),
                Some(key) => {
                    let title = own
                        .and_then(|s| s.declaration.items.iter().find(|i| item_key(i) == key))
                        .map_or(key, |i| {
                            if i.title.is_empty() {
                                key
                            } else {
                                i.title.as_str()
                            }
                        });
                    format!("\u{201c}{}\u{201d}", shown(title))
                }
            };
            let when = time_or_date_text(at, now, view.zone.as_ref() as &dyn ZoneOffsets);
            dom::text_row(
                "own-ack",
                &format!("{what} acknowledged by {} {when}", shown(by)),
            )
        })
        .collect();
    dom::set_children(&list, lines);
}
