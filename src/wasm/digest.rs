//! "Since you were away" in the popup, and the toolbar badge's count of hand-offs waiting for
//! the user. `crate::digest` decides what is listed, in which order, and what the chip that
//! opens it says; this module reads the team cache, fills the digest's markup, switches the
//! popup between the form and the digest, and sends acknowledgements through the background
//! worker (which posts them to the server).
//!
//! Control ids (stable; tests drive them):
//! - `digest-open`: the chip beside the tabs ("4 hand-offs for you", "3 updates since you were
//!   away"), shown while the digest has entries; it opens the digest in place of the form
//! - `digest` (section), `digest-close` ("Done": back to the form, focus on the chip),
//!   `digest-ack-all` ("Acknowledge all", while any hand-off waits), `digest-status`, one
//!   `li.digest-entry[data-member=<id>]` per declaration: its line `button.entry-line`
//!   (`aria-expanded`, opens the rest of it), the hand-offs to the user under it; an
//!   acknowledge button is `button.ack[data-member=<declarer id>]` with `data-item=<item key>`
//!   (none for the cover), and becomes `.acked` "Acknowledged 09:12"
//! - `own-acks`: under the form's work items, "acknowledged by Bob 09:12" for the user's own
//!   hand-offs
//! - `li.digest-own` first in the digest while any of the user's own declared items changed
//!   since they declared it ("Your items": each item's line with its `.live-state` and
//!   `.live-drift`); entries' lines carry `.drift-mark` when their items changed. Redrawn when
//!   the worker writes `live`, expanded entries kept open.

use super::dom::{self, now};
use super::ext::{self, Area, ExtError};
use super::popup_team::{
    details_text, fill_member_head, item_line, mark_changed, set_expanded, show_view, toggle,
    View as Shown,
};
use super::zone::Zone;
use crate::api::{item_key, AckRequest};
use crate::connect::Connection;
use crate::digest::{acks_of_own, chip_text, digest, unacknowledged_count, waiting, Entry};
use crate::display::{displayed, shown, time_or_date_text};
use crate::live::LiveMap;
use crate::live_lines::{chip_with_own, item_live, own_changes};
use crate::message::{ErrorReply, Request, Response};
use crate::model::DeclaredState;
use crate::store::{CONNECTION_KEY, DIGEST_SEEN_KEY, HISTORY_KEY, LIVE_KEY, STATE_KEY, TEAM_KEY};
use crate::team::{roster_row, TeamCache};
use crate::time::{Timestamp, ZoneOffsets};
use std::cell::RefCell;
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
    /// Declared items' live state: the user's own changed items lead the digest.
    live: LiveMap,
}

/// The view last shown, which a change of `live` redraws.
type LastView = Rc<RefCell<Option<View>>>;

impl View {
    async fn load(zone: Rc<Zone>) -> Option<View> {
        let keys = [
            CONNECTION_KEY,
            STATE_KEY,
            HISTORY_KEY,
            TEAM_KEY,
            DIGEST_SEEN_KEY,
            LIVE_KEY,
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
            live: stored.or_default(LIVE_KEY),
        })
    }
}

/// Fills the digest and its chip (the popup opens on the form) and the acknowledgements of the
/// user's own hand-offs.
pub async fn mount(app: &Element, zone: Rc<Zone>) -> Result<(), ExtError> {
    let Some(view) = View::load(Rc::clone(&zone)).await else {
        return Ok(());
    };
    show(&view);
    show_own_acks(&view);
    let shown: LastView = Rc::new(RefCell::new(Some(view)));

    let clicks = Rc::clone(&zone);
    let on_click = Rc::clone(&shown);
    dom::on_button_click(app, move |button| {
        let parts = (Rc::clone(&clicks), Rc::clone(&on_click));
        match button.id().as_str() {
            "digest-open" => {
                show_view(Shown::Digest);
                dom::focus("digest-title");
            }
            "digest-close" => dom::spawn(async move {
                show_view(Shown::Form);
                let json = ext::encode(&now());
                let _ = ext::set(Area::Local, &[(DIGEST_SEEN_KEY, &json)]).await;
                reload(parts).await;
                dom::focus("digest-open");
            }),
            "digest-ack-all" => dom::spawn(acknowledge_all(parts)),
            _ if button.class_list().contains("entry-line") => {
                toggle(&button);
            }
            _ if button.class_list().contains("ack") => {
                let request = AckRequest {
                    member_id: button.get_attribute("data-member").unwrap_or_default(),
                    item: button.get_attribute("data-item"),
                };
                dom::spawn(acknowledge(request, parts));
            }
            _ => {}
        }
    });
    // The worker's refresh of the items' live state: redrawn from the values the change
    // carries, with no read in flight.
    dom::watch_local(&[LIVE_KEY], move |stored| {
        if let Some(view) = shown.borrow_mut().as_mut() {
            let live: LiveMap = stored.or_default(LIVE_KEY);
            if live != view.live {
                view.live = live;
                show(view);
            }
        }
    })
    .await
}

/// Reads the digest's keys again and redraws it, keeping the view shown for `live`'s redraws.
async fn reload((zone, shown): (Rc<Zone>, LastView)) {
    if let Some(view) = View::load(zone).await {
        show(&view);
        show_own_acks(&view);
        *shown.borrow_mut() = Some(view);
    }
}

async fn send_ack(request: AckRequest) -> dom::Reply {
    ext::send_message::<_, Response, ErrorReply>(&Request::Acknowledge(request)).await
}

async fn acknowledge(request: AckRequest, parts: (Rc<Zone>, LastView)) {
    dom::set_status("digest-status", "Sending\u{2026}", false);
    match send_ack(request).await {
        Ok(Ok(Response::Acknowledged)) => {
            // Redrawn first: the status line is part of what is redrawn.
            reload(parts).await;
            dom::set_status("digest-status", "Acknowledged.", false);
        }
        reply => dom::show_failure("digest-status", "", reply),
    }
}

/// Every waiting hand-off, one acknowledgement after another through the worker (each is the
/// same request as its own button's); stops at the first refusal and says which.
async fn acknowledge_all(parts: (Rc<Zone>, LastView)) {
    let Some(view) = View::load(Rc::clone(&parts.0)).await else {
        return;
    };
    let d = digest(&view.cache, &view.me, view.since, now());
    let requests: Vec<AckRequest> = waiting(&d)
        .into_iter()
        .map(|(member, item)| AckRequest {
            member_id: member.to_string(),
            item: item.map(str::to_string),
        })
        .collect();
    dom::set_status("digest-status", "Sending\u{2026}", false);
    let total = requests.len();
    for (done, request) in requests.into_iter().enumerate() {
        match send_ack(request).await {
            Ok(Ok(Response::Acknowledged)) => {}
            reply => {
                reload(parts.clone()).await;
                let prefix = format!("{done} of {total} acknowledged; then: ");
                return dom::show_failure("digest-status", &prefix, reply);
            }
        }
    }
    reload(parts).await;
    let text = match total {
        1 => "Acknowledged.".to_string(),
        n => format!("All {n} acknowledged."),
    };
    dom::set_status("digest-status", &text, false);
    dom::focus("digest-title");
}

/// Renders the digest into its section and names it on the chip (hidden when it is empty).
fn show(view: &View) {
    let Some(section) = dom::by_id("digest") else {
        return;
    };
    let now = now();
    let d = digest(&view.cache, &view.me, view.since, now);
    let time = |t| time_or_date_text(t, now, view.zone.as_ref());
    let own_state = view.cache.states.get(&view.me);
    let own = own_state.and_then(|s| s.state.as_ref());
    let own = own.map(|s| displayed(&s.declaration));
    let own = own_changes(&view.live, &view.cache, &view.me, own.as_ref(), &time);
    let intro = match view.since {
        Some(since) => format!(
            "Since yours ({}), hand-offs to you first.",
            time_or_date_text(since, now, view.zone.as_ref())
        ),
        None => "Your teammates' declarations, hand-offs to you first.".to_string(),
    };
    dom::fill(&section, "intro", &intro);
    let mut entries: Vec<Element> = Vec::new();
    // The user's own changed items lead: their shift starts with what became of them.
    if let Some(group) = dom::row("digest-own").filter(|_| !own.is_empty()) {
        let lines = own.iter().filter_map(|(item, live)| {
            let me = Some(view.me.as_str());
            item_line(&view.cache, own_state, item, me, None, Some(live.clone()))
        });
        if let Some(list) = dom::slot(&group, "items") {
            dom::set_children(&list, lines.collect());
        }
        entries.push(group);
    }
    entries.extend(
        d.entries
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| entry_item(i, entry, view, now)),
    );
    if entries.is_empty() {
        entries.extend(dom::row("digest-none"));
    }
    if let Some(list) = dom::slot(&section, "entries") {
        // A redraw (the live state changed) keeps what the user opened.
        let open: Vec<String> =
            dom::matching(&list, "li > button.entry-line[aria-expanded='true']")
                .iter()
                .filter_map(|line| line.parent_element()?.get_attribute("data-member"))
                .collect();
        for li in &entries {
            let member = li.get_attribute("data-member").unwrap_or_default();
            if open.contains(&member) {
                if let Some(line) = li.query_selector("button.entry-line").ok().flatten() {
                    set_expanded(&line, true);
                }
            }
        }
        dom::set_children(&list, entries);
    }
    dom::set_text("digest-status", "");
    dom::set_hidden("digest-ack-all", d.unacknowledged() == 0);
    let chip = chip_with_own(chip_text(&d, view.seen), d.unacknowledged() > 0, own.len());
    dom::set_hidden("digest-open", chip.is_none());
    dom::set_text("digest-open", chip.as_deref().unwrap_or_default());
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

/// An entry: its line (name, status, emoji and headline; a disclosure button), the hand-offs
/// to the user under it, and the rest once expanded.
fn entry_item(i: usize, entry: &Entry, view: &View, now: Timestamp) -> Option<Element> {
    let li = dom::row("digest-entry")?;
    dom::number_ids(&li, i);
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
    let state = view.cache.states.get(&entry.member.id);
    let mut handoffs = Vec::new();
    // The cover: a hand-off line when it is the user, else a detail.
    let cover_handoff = entry.handoffs.iter().find(|h| h.item.is_none());
    let cover = match (&d.cover, cover_handoff) {
        (Some(_), Some(h)) => {
            let line = dom::text_row("digest-handoff", "You cover for them. ");
            let ack = ack_control(entry, None, h.acked_at, view);
            if let (Some(line), Some(ack)) = (line, ack) {
                let _ = line.set_attribute("class", "handoff cover");
                let _ = line.append_with_node_1(&ack);
                handoffs.push(line);
            }
            None
        }
        (Some(cover), None) => Some(format!(
            "Cover: {}",
            state.map_or_else(
                || cover.clone(),
                |s| crate::team::handed_to(&view.cache, s, None, cover, Some(&view.me))
            )
        )),
        (None, _) => None,
    };
    dom::fill_or_drop(&li, "cover", cover);
    let mut others = Vec::new();
    let time = |t| time_or_date_text(t, now, view.zone.as_ref());
    let mut changed = 0;
    for item in &d.items {
        let handoff = entry.handoff(item);
        let ack = handoff.and_then(|h| ack_control(entry, Some(item_key(item)), h.acked_at, view));
        let name = &entry.member.display_name;
        let live = item_live(&view.live, &view.cache, &entry.member.id, name, item, &time);
        changed += usize::from(live.as_ref().is_some_and(|l| l.drift.is_some()));
        let Some(line) = item_line(&view.cache, state, item, Some(&view.me), ack, live) else {
            continue;
        };
        acked_by_lines(&line, entry, item_key(item), view, now);
        if handoff.is_some() {
            let _ = line.set_attribute("class", "handoff");
            handoffs.push(line);
        } else {
            others.push(line);
        }
    }
    match dom::slot(&li, "handoffs") {
        Some(list) if !handoffs.is_empty() => dom::set_children(&list, handoffs),
        Some(list) => list.remove(),
        None => {}
    }
    match dom::slot(&li, "items") {
        Some(list) if !others.is_empty() => dom::set_children(&list, others),
        Some(list) => list.remove(),
        None => {}
    }
    mark_changed(&li, changed);
    Some(li)
}

/// "acknowledged by Bob 09:12" under an item, for teammates' acknowledgements.
fn acked_by_lines(line: &Element, entry: &Entry, key: &str, view: &View, now: Timestamp) {
    for ack in entry
        .acks
        .iter()
        .filter(|a| a.item.as_deref() == Some(key) && a.by != view.me)
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
        if let Some(p) = dom::text_row("digest-acked-by", &text) {
            let _ = line.append_with_node_1(&p);
        }
    }
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
