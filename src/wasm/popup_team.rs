//! The popup's team parts: the "You" / "Team" tabs, the sync line under "Declared 17:42",
//! the conflict view, and the Team view (the roster). Everything shown is decided in
//! `crate::sync` and `crate::team`; this module fills the popup's markup with it and again on
//! every change of the keys the background worker writes.
//!
//! Control ids (stable; tests drive them):
//! - tabs `tab-you` and `tab-team` (`aria-selected`); the views `declare-form` and `team-view`
//! - `sync-status`: "Waiting to sync", "Synced 17:42", "Not synced: …", "Disconnected: …"
//! - `conflict` (shown on a 412): `conflict-local` and `conflict-server` (a heading and the
//!   lines of each version), buttons `conflict-keep-local`, `conflict-keep-server`,
//!   `conflict-merge`, status `conflict-status`
//! - `team-status` (the team's name, or why it may be out of date), list `roster` with one
//!   `li[data-member="<member id>"]` per teammate

use super::dom::{self, now};
use super::ext::{self, Area};
use super::zone::Zone;
use crate::connect::Connection;
use crate::display::shown;
use crate::message::{ErrorReply, Request, Response};
use crate::model::{DeclaredState, Status};
use crate::outbox::{Outbox, Resolution};
use crate::store::{CONNECTION_KEY, OUTBOX_KEY, STATE_KEY, SYNC_KEY, TEAM_KEY};
use crate::sync::{conflict_sides, sync_line, team_line, SyncStatus};
use crate::team::{roster_rows, RosterRow, TeamCache};
use crate::time::Timestamp;
use std::rc::Rc;
use web_sys::Element;

/// Called after a conflict choice changed the local declared state, so the form shows it.
pub type Refill = Rc<dyn Fn(Option<DeclaredState>)>;

struct TeamParts {
    zone: Rc<Zone>,
    refill: Refill,
}

/// What the worker's keys hold right now.
#[derive(Default)]
struct Snapshot {
    connection: Option<Connection>,
    status: SyncStatus,
    outbox: Outbox,
    team: TeamCache,
}

impl Snapshot {
    async fn load() -> Snapshot {
        let stored = ext::read(
            Area::Local,
            &[CONNECTION_KEY, SYNC_KEY, OUTBOX_KEY, TEAM_KEY],
        )
        .await;
        Snapshot {
            connection: stored.get(CONNECTION_KEY).ok().flatten(),
            status: stored.or_default(SYNC_KEY),
            outbox: stored.or_default(OUTBOX_KEY),
            team: stored.or_default(TEAM_KEY),
        }
    }
}

/// Shows the team parts of the popup (in `extension/popup.html`) and keeps them current for
/// the page's lifetime.
pub async fn mount(app: &Element, zone: Rc<Zone>, refill: Refill) -> Result<(), ext::ExtError> {
    let parts = Rc::new(TeamParts { zone, refill });
    parts.show(&Snapshot::load().await);
    let clicks = Rc::clone(&parts);
    dom::on_button_click(app, move |button| clicks.on_button(&button.id()));
    let watcher = Rc::clone(&parts);
    dom::on_local_change(
        &[CONNECTION_KEY, SYNC_KEY, OUTBOX_KEY, TEAM_KEY],
        move || {
            let parts = Rc::clone(&watcher);
            dom::spawn(async move { parts.show(&Snapshot::load().await) });
        },
    )
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
        let (text, problem) = team_line(snapshot.connection.as_ref(), &snapshot.status);
        dom::set_status("team-status", &text, problem);
        let me = snapshot.connection.as_ref().map(|c| c.member.id.as_str());
        let rows = if connected {
            roster_rows(&snapshot.team, now, self.zone.as_ref(), &dom::zone_of)
        } else {
            Vec::new()
        };
        if let Some(list) = dom::by_id("roster") {
            let items = rows.iter().filter_map(|row| roster_item(row, me)).collect();
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

    fn on_button(self: &Rc<Self>, id: &str) {
        let choice = match id {
            "tab-you" | "tab-team" => return select_tab(id == "tab-team"),
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

fn select_tab(team: bool) {
    for (id, panel, on) in [
        ("tab-you", "declare-form", !team),
        ("tab-team", "team-view", team),
    ] {
        if let Some(tab) = dom::by_id(id) {
            let _ = tab.set_attribute("aria-selected", if on { "true" } else { "false" });
        }
        dom::set_hidden(panel, !on);
    }
    // The conflict view belongs to "You": hidden with it, shown again by the next render.
    if team {
        dom::set_hidden("conflict", true);
    } else {
        dom::spawn(async {
            let snapshot = Snapshot::load().await;
            let conflicted = snapshot.connection.is_some() && snapshot.outbox.conflict.is_some();
            dom::set_hidden("conflict", !conflicted);
        });
    }
}

fn roster_item(row: &RosterRow, me: Option<&str>) -> Option<Element> {
    let item = dom::row("roster-row")?;
    let _ = item.set_attribute("data-member", &row.member_id);
    let you = me == Some(row.member_id.as_str());
    fill_member_head(&item, &row.name, you, row.status, row.expired);
    let headline = (!row.headline.is_empty()).then(|| shown(&row.headline));
    dom::fill_or_drop(&item, "headline", headline);
    let details = details_text(&[
        Some(row.now_there.clone()),
        row.back.clone(),
        row.cover.as_ref().map(|c| format!("cover: {c}")),
        row.declared.clone(),
    ]);
    dom::fill(&item, "details", &details);
    Some(item)
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
