//! The popup's team parts: the "You" / "Team" tabs, the sync line under "Declared 17:42",
//! the conflict view, and the Team view (the roster). Everything shown is decided in
//! `crate::sync` and `crate::team`; this module places it and re-renders on every change of
//! the keys the background worker writes.
//!
//! Control ids (stable; tests drive them):
//! - tabs `tab-you` and `tab-team` (`aria-selected`); the views `declare-form` and `team-view`
//! - `sync-status`: "Waiting to sync", "Synced 17:42", "Not synced: …", "Disconnected: …"
//! - `conflict` (shown on a 412): `conflict-local` and `conflict-server` (a heading and the
//!   lines of each version), buttons `conflict-keep-local`, `conflict-keep-server`,
//!   `conflict-merge`, status `conflict-status`
//! - `team-status` (the team's name, or why it may be out of date), list `roster` with one
//!   `li[data-member="<member id>"]` per teammate

use super::dom::{self, el, now, text_el};
use super::ext::{self, Area};
use super::zone::Zone;
use crate::connect::Connection;
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

/// Adds the team parts around the popup's form (already in `app`) and keeps them current
/// for the page's lifetime.
pub async fn mount(
    app: &Element,
    form: &Element,
    zone: Rc<Zone>,
    refill: Refill,
) -> Result<(), ext::ExtError> {
    let tabs = el("nav", &[("class", "tabs"), ("role", "tablist")]);
    dom::append(
        &tabs,
        &[
            &tab("tab-you", "You", "declare-form", true),
            &tab("tab-team", "Team", "team-view", false),
        ],
    );
    let _ = app.prepend_with_node_1(&tabs);
    let sync_status = el("p", &[("id", "sync-status"), ("role", "status")]);
    match dom::by_id("declare-status") {
        Some(declared) => {
            let _ = declared.after_with_node_1(&sync_status);
        }
        None => dom::append(form, &[&sync_status]),
    }
    // Above the form, where it is seen without scrolling: nothing is published until the
    // user chooses.
    let _ = form.before_with_node_1(&conflict_view());
    let team_view = el(
        "section",
        &[("id", "team-view"), ("role", "tabpanel"), ("hidden", "")],
    );
    dom::append(
        &team_view,
        &[
            &text_el("h1", &[], "Team"),
            &el("p", &[("id", "team-status"), ("role", "status")]),
            &el("ul", &[("id", "roster"), ("class", "plain stack")]),
        ],
    );
    dom::append(app, &[&team_view]);

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

fn tab(id: &str, label: &str, controls: &str, selected: bool) -> Element {
    let selected = if selected { "true" } else { "false" };
    text_el(
        "button",
        &[
            ("type", "button"),
            ("id", id),
            ("role", "tab"),
            ("aria-controls", controls),
            ("aria-selected", selected),
        ],
        label,
    )
}

fn conflict_view() -> Element {
    let view = el(
        "section",
        &[("id", "conflict"), ("class", "card"), ("hidden", "")],
    );
    let sides = el("div", &[("class", "row conflict-sides")]);
    dom::append(
        &sides,
        &[
            &el("div", &[("id", "conflict-local")]),
            &el("div", &[("id", "conflict-server")]),
        ],
    );
    let buttons = el("div", &[("class", "row wrap")]);
    dom::append(
        &buttons,
        &[
            &dom::button("conflict-keep-local", "Keep this browser's"),
            &dom::button("conflict-keep-server", "Keep the server's"),
            &dom::button("conflict-merge", "Merge items"),
        ],
    );
    dom::append(
        &view,
        &[
            &text_el("h2", &[], "Changed in another browser"),
            &text_el(
                "p",
                &[("class", "muted")],
                "Your declaration was not published: the server has a newer one. Choose which to keep.",
            ),
            &sides,
            &buttons,
            &el("p", &[("id", "conflict-status"), ("role", "status")]),
        ],
    );
    view
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
            let items: js_sys::Array = rows
                .iter()
                .map(|row| wasm_bindgen::JsValue::from(roster_item(row, me)))
                .collect();
            list.replace_children_with_node(&items);
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
            let list = el("ul", &[("class", "plain")]);
            for line in lines {
                dom::append(&list, &[&text_el("li", &[], line)]);
            }
            side.replace_children_with_node_2(&text_el("h3", &[], heading), &list);
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

fn roster_item(row: &RosterRow, me: Option<&str>) -> Element {
    let item = el(
        "li",
        &[("class", "card member"), ("data-member", &row.member_id)],
    );
    let you = me == Some(row.member_id.as_str());
    dom::append(
        &item,
        &[&member_head(&row.name, you, row.status, row.expired)],
    );
    if !row.headline.is_empty() {
        dom::append(
            &item,
            &[&dom::user_text_el(
                "p",
                &[("class", "headline")],
                &row.headline,
            )],
        );
    }
    dom::append(
        &item,
        &[&details_line(&[
            Some(format!("{} their time", row.local_time)),
            row.back.clone(),
            row.cover.as_ref().map(|c| format!("cover: {c}")),
            row.declared.clone(),
        ])],
    );
    item
}

/// A member card's first line (roster, digest): the name, "(you)" on the user's own, and the
/// status, "(expired)" when it is no longer current.
pub(super) fn member_head(name: &str, you: bool, status: Option<Status>, expired: bool) -> Element {
    let text = match status {
        Some(status) if expired => format!("{} (expired)", status.label()),
        Some(status) => status.label().to_string(),
        None => "No state".into(),
    };
    let class = format!("status status-{}", status.map_or("none", |s| s.as_str()));
    let strong = el("strong", &[]);
    dom::append(&strong, &[&dom::user_text_el("bdi", &[], name)]);
    if you {
        let _ = strong.append_with_str_1(" (you)");
    }
    let head = el("div", &[("class", "row spread")]);
    dom::append(
        &head,
        &[&strong, &text_el("span", &[("class", &class)], &text)],
    );
    head
}

/// A member card's muted line of details, those present joined with " · ".
pub(super) fn details_line(details: &[Option<String>]) -> Element {
    let details: Vec<&str> = details.iter().flatten().map(String::as_str).collect();
    text_el(
        "p",
        &[("class", "muted details")],
        &details.join(" \u{b7} "),
    )
}
