//! The popup's team parts: the "You" / "Team" tabs, the sync line under "Declared 17:42",
//! the conflict view, and the Team view (the roster). Everything shown is decided in
//! `crate::sync` and `crate::team`; this module fills the popup's markup with it and again on
//! every change of the keys the background worker writes.
//!
//! Control ids (stable; tests drive them):
//! - tabs `tab-you` and `tab-team` (`aria-selected`); the views `declare-form`, `digest` (in
//!   place of the form, see `digest`) and `team-view`, one at a time ([`show_view`]; `#app`'s
//!   `data-view` says which)
//! - `sync-status`: "Waiting to sync", "Synced 17:42", "Not synced: …", "Disconnected: …"
//! - `mirror-github`, `mirror-gitlab`, `mirror-slack`: each connected status-mirror account's
//!   line ("GitHub status: updated 17:42", or why not), hidden for the others
//! - `conflict` (shown on a 412): `conflict-local` and `conflict-server` (a heading and the
//!   lines of each version), buttons `conflict-keep-local`, `conflict-keep-server`,
//!   `conflict-merge`, status `conflict-status`
//! - `team-status` (the team's name, or why it may be out of date), list `roster` with one
//!   `li[data-member="<member id>"]` per teammate in `crate::team::team_order` (the timeline's
//!   too): its line `button.member-line` (`aria-expanded`) shows their items, blockers and
//!   details, `li.absent` when out of office; `.drift-mark` on the line when any of their items
//!   changed since declared, and under each item its `.live-state` and `.live-drift` lines
//!   (`crate::live_lines`), redrawn when the worker writes `live`

use super::dom::{self, now};
use super::ext::{self, Area};
use super::zone::Zone;
use crate::api::{item_key, MemberState};
use crate::connect::Connection;
use crate::display::time_or_date_text;
use crate::display::{displayed, shown};
use crate::item_ref::parse_http_url;
use crate::live::LiveMap;
use crate::live_lines::{changed_mark, item_live, ItemLive};
use crate::message::{ErrorReply, Request, Response};
use crate::mirror::{report_line, Account, Report, Service};
use crate::model::{DeclaredState, Status, WorkItem};
use crate::outbox::{Outbox, Resolution};
use crate::store::{
    CONNECTION_KEY, LIVE_KEY, MIRRORS_KEY, OUTBOX_KEY, STATE_KEY, SYNC_KEY, TEAM_KEY,
};
use crate::sync::{conflict_sides, sync_line, team_line, SyncStatus};
use crate::team::{handed_to, roster_rows, RosterRow, TeamCache};
use crate::time::Timestamp;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::Element;

/// Called after a conflict choice changed the local declared state, so the form shows it.
pub type Refill = Rc<dyn Fn(Option<DeclaredState>)>;

struct TeamParts {
    zone: Rc<Zone>,
    refill: Refill,
    /// Members whose roster row is expanded; kept across the redraws the worker's writes cause.
    expanded: RefCell<BTreeSet<String>>,
}

/// What the worker's keys hold right now.
#[derive(Default)]
struct Snapshot {
    connection: Option<Connection>,
    status: SyncStatus,
    outbox: Outbox,
    team: TeamCache,
    mirrors: Vec<Account>,
    live: LiveMap,
}

/// The keys a [`Snapshot`] holds.
const KEYS: &[&str] = &[
    CONNECTION_KEY,
    SYNC_KEY,
    OUTBOX_KEY,
    TEAM_KEY,
    MIRRORS_KEY,
    LIVE_KEY,
];

impl Snapshot {
    async fn load() -> Snapshot {
        Snapshot::of(&ext::read(Area::Local, KEYS).await)
    }

    fn of(stored: &ext::Stored) -> Snapshot {
        Snapshot {
            connection: stored.get(CONNECTION_KEY).ok().flatten(),
            status: stored.or_default(SYNC_KEY),
            outbox: stored.or_default(OUTBOX_KEY),
            team: stored.or_default(TEAM_KEY),
            mirrors: stored.or_default(MIRRORS_KEY),
            live: stored.or_default(LIVE_KEY),
        }
    }
}

/// Shows the team parts of the popup (in `extension/popup.html`) and keeps them current for
/// the page's lifetime.
pub async fn mount(app: &Element, zone: Rc<Zone>, refill: Refill) -> Result<(), ext::ExtError> {
    let parts = Rc::new(TeamParts {
        zone,
        refill,
        expanded: RefCell::new(BTreeSet::new()),
    });
    let clicks = Rc::clone(&parts);
    dom::on_button_click(app, move |button| clicks.on_button(&button));
    dom::watch_local(KEYS, move |stored| parts.show(&Snapshot::of(stored))).await
}

impl TeamParts {
    fn show(&self, snapshot: &Snapshot) {
        let now = now();
        let connected = snapshot.connection.is_some();
        match sync_line(
            connected,
            &snapshot.status,
            &snapshot.outbox,
            now,
            self.zone.as_ref(),
        ) {
            Some((text, problem)) => dom::set_status("sync-status", &text, problem),
            None => dom::set_status("sync-status", "", false),
        }
        self.show_conflict(snapshot, now);
        for service in Service::ALL {
            let id = format!("mirror-{}", service.as_str());
            let account = snapshot.mirrors.iter().find(|a| a.service == service);
            dom::set_hidden(&id, account.is_none());
            if let Some(account) = account {
                let line = report_line(account, |t| time_or_date_text(t, now, self.zone.as_ref()));
                let problem = matches!(account.report, Some(Report::Stopped | Report::Retrying));
                dom::set_status(&id, &line, problem);
            }
        }
        let (text, problem) = team_line(snapshot.connection.as_ref(), &snapshot.status);
        dom::set_status("team-status", &text, problem);
        let me = snapshot.connection.as_ref().map(|c| c.member.id.as_str());
        let rows = if connected {
            roster_rows(&snapshot.team, now, self.zone.as_ref(), &dom::zone_of)
        } else {
            Vec::new()
        };
        if let Some(list) = dom::by_id("roster") {
            let expanded = self.expanded.borrow();
            let time = |t| time_or_date_text(t, now, self.zone.as_ref());
            let items = rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    let open = expanded.contains(&row.member_id);
                    let you = me == Some(row.member_id.as_str());
                    let declarer = if you { "you" } else { row.name.as_str() };
                    let live = |item: &WorkItem| {
                        let team = &snapshot.team;
                        item_live(&snapshot.live, team, &row.member_id, declarer, item, &time)
                    };
                    roster_item(i, row, me, &snapshot.team, open, &live)
                })
                .collect();
            dom::set_children(&list, items);
        }
    }

    fn show_conflict(&self, snapshot: &Snapshot, now: Timestamp) {
        let conflict = snapshot
            .outbox
            .conflict
            .as_ref()
            .filter(|_| snapshot.connection.is_some());
        dom::set_hidden("conflict", conflict.is_none());
        let Some(conflict) = conflict else {
            return;
        };
        let sides = conflict_sides(conflict, now, self.zone.as_ref());
        for ((heading, lines), id) in sides.iter().zip(["conflict-local", "conflict-server"]) {
            let Some(side) = dom::by_id(id) else {
                continue;
            };
            dom::fill(&side, "heading", heading);
            if let Some(list) = dom::slot(&side, "lines") {
                let lines = lines.iter().filter_map(|l| dom::text_row("line", l));
                dom::set_children(&list, lines.collect());
            }
        }
        dom::set_hidden("conflict-merge", !conflict.can_merge());
    }

    fn on_button(self: &Rc<Self>, button: &Element) {
        if button.class_list().contains("member-line") {
            let member = button
                .closest("li[data-member]")
                .ok()
                .flatten()
                .and_then(|li| li.get_attribute("data-member"));
            if let Some(member) = member {
                let mut expanded = self.expanded.borrow_mut();
                if toggle(button) {
                    expanded.insert(member);
                } else {
                    expanded.remove(&member);
                }
            }
            return;
        }
        let choice = match button.id().as_str() {
            "tab-you" => return show_view(View::Form),
            "tab-team" => return show_view(View::Team),
            "conflict-keep-local" => Resolution::KeepLocal,
            "conflict-keep-server" => Resolution::KeepServer,
            "conflict-merge" => Resolution::Merge,
            _ => return,
        };
        dom::spawn(Rc::clone(self).resolve(choice));
    }

    async fn resolve(self: Rc<Self>, choice: Resolution) {
        dom::set_status("conflict-status", "", false);
        match ext::send_message::<_, Response, ErrorReply>(&Request::Resolve(choice)).await {
            Ok(Ok(Response::Resolved)) => {
                let state: Option<DeclaredState> = ext::read(Area::Local, &[STATE_KEY])
                    .await
                    .get(STATE_KEY)
                    .ok()
                    .flatten();
                (self.refill)(state);
            }
            reply => dom::show_failure("conflict-status", "", reply),
        }
    }
}

/// The popup's views; one shows at a time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum View {
    /// "You": the declare form (and the conflict view, the reminder and the digest's chip).
    Form,
    /// "Since you were away", in place of the form (still under "You").
    Digest,
    Team,
}

pub(super) fn show_view(view: View) {
    let team = view == View::Team;
    for (id, on) in [("tab-you", !team), ("tab-team", team)] {
        if let Some(tab) = dom::by_id(id) {
            let _ = tab.set_attribute("aria-selected", if on { "true" } else { "false" });
        }
    }
    dom::set_hidden("declare-form", view != View::Form);
    dom::set_hidden("digest", view != View::Digest);
    dom::set_hidden("team-view", !team);
    // What belongs to the form only (the reminder, the chip) follows #app's data-view in CSS:
    // their own code decides whether they are there at all.
    let name = match view {
        View::Form => "form",
        View::Digest => "digest",
        View::Team => "team",
    };
    if let Some(app) = dom::by_id("app") {
        let _ = app.set_attribute("data-view", name);
    }
    // The conflict view belongs to the form: hidden with it, shown again when still pending.
    if view == View::Form {
        dom::spawn(async {
            let snapshot = Snapshot::load().await;
            let conflicted = snapshot.connection.is_some() && snapshot.outbox.conflict.is_some();
            dom::set_hidden("conflict", !conflicted);
        });
    } else {
        dom::set_hidden("conflict", true);
    }
}

/// Flips a disclosure button (`aria-expanded`, `aria-controls`) and what it controls; returns
/// whether it is now expanded.
pub(super) fn toggle(button: &Element) -> bool {
    let open = button.get_attribute("aria-expanded").as_deref() != Some("true");
    set_expanded(button, open);
    open
}

pub(super) fn set_expanded(button: &Element, open: bool) {
    let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    if let Some(id) = button.get_attribute("aria-controls") {
        dom::set_hidden(&id, !open);
    }
}

/// A teammate's row: one line (status, name, emoji, headline, back-at) that expands to their
/// items, blockers, note and details. Out of office: drawn as absent.
fn roster_item(
    i: usize,
    row: &RosterRow,
    me: Option<&str>,
    cache: &TeamCache,
    open: bool,
    live: &dyn Fn(&WorkItem) -> Option<ItemLive>,
) -> Option<Element> {
    let item = dom::row("roster-row")?;
    dom::number_ids(&item, i);
    let _ = item.set_attribute("data-member", &row.member_id);
    if row.out_of_office {
        let _ = item.set_attribute("class", "member absent");
    }
    let you = me == Some(row.member_id.as_str());
    fill_member_head(&item, &row.name, you, row.status, row.expired);
    dom::fill_or_drop(&item, "emoji", row.emoji.clone());
    let headline = (!row.headline.is_empty()).then(|| shown(&row.headline));
    dom::fill_or_drop(&item, "headline", headline);
    dom::fill_or_drop(&item, "back", row.back.clone());
    let state = cache.states.get(&row.member_id);
    let cover = match (&row.cover, state) {
        (Some(c), Some(s)) => Some(format!("cover: {}", handed_to(cache, s, None, c, me))),
        _ => None,
    };
    let details = details_text(&[Some(row.now_there.clone()), cover, row.declared.clone()]);
    dom::fill(&item, "details", &details);
    let declaration = state
        .and_then(|s| s.state.as_ref())
        .map(|s| displayed(&s.declaration));
    let mut changed = 0;
    let (items, blockers, note) = match &declaration {
        Some(d) => (
            d.items
                .iter()
                .filter_map(|i| {
                    let live = live(i);
                    changed += usize::from(live.as_ref().is_some_and(|l| l.drift.is_some()));
                    item_line(cache, state, i, me, None, live)
                })
                .collect(),
            (!d.blockers.trim().is_empty()).then(|| format!("Blockers: {}", d.blockers)),
            (!d.note.trim().is_empty()).then(|| d.note.clone()),
        ),
        None => (Vec::new(), None, None),
    };
    match dom::slot(&item, "items") {
        Some(list) if !items.is_empty() => dom::set_children(&list, items),
        Some(list) => list.remove(),
        None => {}
    }
    dom::fill_or_drop(&item, "blockers", blockers);
    dom::fill_or_drop(&item, "note", note);
    mark_changed(&item, changed);
    if let Some(line) = item.query_selector("button.member-line").ok().flatten() {
        set_expanded(&line, open);
    }
    Some(item)
}

/// The marker on a collapsed line (Team rows, digest entries) that `changed` of its items
/// changed since declared: a sign, and its words for assistive technology and as a tooltip.
pub(super) fn mark_changed(row: &Element, changed: usize) {
    match (dom::slot(row, "drift"), changed_mark(changed)) {
        (Some(mark), Some(words)) => {
            let _ = mark.set_attribute("title", &words);
            dom::fill(&mark, "drift-name", &words);
        }
        (Some(mark), None) => mark.remove(),
        (None, _) => {}
    }
}

/// A work item's line (Team rows, digest entries): its title, a link when it is http(s), its
/// state, whom it is handed to ("you" for `me`), then `action` (an acknowledge control), its
/// note, and what it is now and what changed since (`live`). `item` is already [`displayed`].
pub(super) fn item_line(
    cache: &TeamCache,
    state: Option<&MemberState>,
    item: &WorkItem,
    me: Option<&str>,
    action: Option<Element>,
    live: Option<ItemLive>,
) -> Option<Element> {
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
    if let Some(written) = &item.handoff_to {
        let to = match state {
            Some(s) => handed_to(cache, s, Some(item_key(item)), written, me),
            None => shown(written),
        };
        let _ = li.append_with_str_1(&format!(" \u{b7} handed to {to} "));
    }
    if let Some(action) = action {
        let _ = li.append_with_node_1(&action);
    }
    if !item.note.trim().is_empty() {
        if let Some(note) = dom::text_row("digest-note", &shown(&item.note)) {
            let _ = li.append_with_node_1(&note);
        }
    }
    if let Some(live) = live {
        let lines = [("live-state", Some(live.state)), ("live-drift", live.drift)];
        for line in lines
            .into_iter()
            .filter_map(|(id, t)| dom::text_row(id, &t?))
        {
            let _ = li.append_with_node_1(&line);
        }
    }
    Some(li)
}

/// A member card's first line (roster, digest): the name, "(you)" on the user's own, and the
/// status, "(expired)" when it is no longer current.
pub(super) fn fill_member_head(
    card: &Element,
    name: &str,
    you: bool,
    status: Option<Status>,
    expired: bool,
) {
    let text = match status {
        Some(status) if expired => format!("{} (expired)", status.label()),
        Some(status) => status.label().to_string(),
        None => "No state".into(),
    };
    dom::fill_user(card, "name", name);
    if let (true, Some(name)) = (you, dom::slot(card, "name")) {
        let _ = name.after_with_str_1(" (you)");
    }
    if let Some(line) = dom::slot(card, "status") {
        let class = format!("status status-{}", status.map_or("none", |s| s.as_str()));
        let _ = line.set_attribute("class", &class);
        line.set_text_content(Some(&text));
    }
}

/// A member card's muted line of details, those present joined with " · ".
pub(super) fn details_text(details: &[Option<String>]) -> String {
    let details: Vec<&str> = details.iter().flatten().map(String::as_str).collect();
    details.join(" \u{b7} ")
}
