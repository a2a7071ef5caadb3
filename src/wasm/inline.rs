//! The worker's side of the inline context on tracker pages: answers the content-script shim's
//! requests ([`crate::features`] documents the protocol) from a snapshot of storage, writes the
//! activity log and banner dismissals, and keeps the content script registered on the
//! self-hosted origins the user enabled.
//!
//! The snapshot (team cache, origins, dismissals, the items' live state, the viewer's zone) is
//! read once and kept until `storage.onChanged` reports one of its keys: a warm worker answers a
//! page's render without touching storage, which is what keeps badges within their time budget.
//! The shims read no storage: when the team cache or the live state changes, the worker tells
//! them.

use super::ext::{self, Area, ExtError};
use super::zone::Zone;
use crate::connect::Connection;
use crate::features::teammates::TeammateIndex;
use crate::features::{
    self, activity, banner, handoff_to_me, Inputs, RenderReply, RenderRequest, TeamChanged,
};
use crate::live::LiveMap;
use crate::message::{ContentReply, ErrorCode, ErrorReply, Reply, Request};
use crate::model::Settings;
use crate::render::Action;
use crate::self_hosted::match_patterns;
use crate::sites::{self, Descriptor, Origin, Page, Site};
use crate::store::{
    ACTIVITY_KEY, CONNECTION_KEY, DISMISSED_KEY, LIVE_KEY, ORIGINS_KEY, SETTINGS_KEY, TEAM_KEY,
};
use crate::team::TeamCache;
use crate::time::{Timestamp, ZoneOffsets};
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

/// The id of the content script registered on self-hosted origins.
const SELF_HOSTED_SCRIPT: &str = "standin-self-hosted";
const CONTENT_SCRIPT: &str = "content.js";

/// What renders read, as stored.
struct Snapshot {
    team: TeamCache,
    origins: Vec<Origin>,
    dismissed: Vec<banner::Dismissal>,
    viewer_zone: Rc<MemoZone>,
    /// The connected member's id: hand-offs to them read "to you".
    me: Option<String>,
    /// Declared items' live state: the banner's and cards' state and drift lines.
    live: LiveMap,
    /// The team's handles per site, built on a site's first render.
    teammates: RefCell<Vec<Rc<TeammateIndex>>>,
}

impl Snapshot {
    fn teammates(&self, site: Site) -> Rc<TeammateIndex> {
        if let Some(index) = self.teammates.borrow().iter().find(|i| i.site == site) {
            return index.clone();
        }
        let index = Rc::new(TeammateIndex::new(&self.team, site));
        self.teammates.borrow_mut().push(index.clone());
        index
    }
}

/// A zone whose offsets are remembered per minute: each lookup is an `Intl` call that builds
/// an array of parts, and one render asks the same few instants (now, each back-at) hundreds of
/// times. Offsets change only at whole minutes. A sorted `Vec` rather than a map: it serves
/// as well and adds no map code of its own to the wasm module.
struct MemoZone {
    zone: Zone,
    offsets: RefCell<Vec<(i64, i32)>>,
}

impl MemoZone {
    fn new(zone: Zone) -> MemoZone {
        MemoZone {
            zone,
            offsets: RefCell::new(Vec::new()),
        }
    }
}

impl ZoneOffsets for MemoZone {
    fn offset_minutes(&self, at: Timestamp) -> i32 {
        let minute = at.millis().div_euclid(60_000);
        let slot = self
            .offsets
            .borrow()
            .binary_search_by_key(&minute, |(m, _)| *m);
        match slot {
            Ok(found) => self.offsets.borrow()[found].1,
            Err(insert_at) => {
                let offset = self.zone.offset_minutes(at);
                let mut offsets = self.offsets.borrow_mut();
                if offsets.len() > 4096 {
                    offsets.clear();
                    offsets.push((minute, offset));
                } else {
                    offsets.insert(insert_at, (minute, offset));
                }
                offset
            }
        }
    }
}

thread_local! {
    static SNAPSHOT: RefCell<Option<Rc<Snapshot>>> = const { RefCell::new(None) };
    /// Bumped on every invalidation, so a read that raced a change is not cached.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// `Intl.DateTimeFormat` per zone name: building one costs more than a render.
    /// A handful per team: a list is enough.
    static ZONES: RefCell<Vec<(String, Rc<MemoZone>)>> = const { RefCell::new(Vec::new()) };
}

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

fn internal(e: ExtError) -> ErrorReply {
    ErrorReply::new(ErrorCode::Internal, e.to_string())
}

fn zone(name: &str) -> Rc<MemoZone> {
    ZONES.with(|zones| {
        let mut zones = zones.borrow_mut();
        if let Some((_, zone)) = zones.iter().find(|(n, _)| n == name) {
            return zone.clone();
        }
        let zone = Rc::new(MemoZone::new(
            Zone::named(name).unwrap_or_else(Zone::browser),
        ));
        zones.push((name.to_owned(), zone.clone()));
        zone
    })
}

/// A shared zone as the pure code's `Box<dyn ZoneOffsets>`.
struct SharedZone(Rc<MemoZone>);

impl ZoneOffsets for SharedZone {
    fn offset_minutes(&self, at: Timestamp) -> i32 {
        self.0.offset_minutes(at)
    }
}

async fn snapshot() -> Rc<Snapshot> {
    if let Some(s) = SNAPSHOT.with(|c| c.borrow().clone()) {
        return s;
    }
    let generation = GENERATION.with(Cell::get);
    let local = ext::read(Area::Local, &SNAPSHOT_KEYS).await;
    let team: TeamCache = local.or_default(TEAM_KEY);
    let origins: Vec<Origin> = local.or_default(ORIGINS_KEY);
    let dismissed: Vec<banner::Dismissal> = local.or_default(DISMISSED_KEY);
    let connection: Option<Connection> = local.or_default(CONNECTION_KEY);
    let live: LiveMap = local.or_default(LIVE_KEY);
    let settings: Settings = ext::read(Area::Sync, &[SETTINGS_KEY])
        .await
        .or_default(SETTINGS_KEY);
    let viewer_zone = match settings.timezone.as_str() {
        "" => Rc::new(MemoZone::new(Zone::browser())),
        name => zone(name),
    };
    let snapshot = Rc::new(Snapshot {
        team,
        origins,
        dismissed,
        viewer_zone,
        me: connection.map(|c| c.member.id),
        live,
        teammates: RefCell::new(Vec::new()),
    });
    if GENERATION.with(Cell::get) == generation {
        SNAPSHOT.with(|c| *c.borrow_mut() = Some(snapshot.clone()));
    }
    snapshot
}

/// The `storage.local` keys a [`Snapshot`] holds.
const SNAPSHOT_KEYS: [&str; 5] = [
    TEAM_KEY,
    ORIGINS_KEY,
    DISMISSED_KEY,
    CONNECTION_KEY,
    LIVE_KEY,
];

fn invalidate() {
    GENERATION.with(|g| g.set(g.get() + 1));
    SNAPSHOT.with(|c| *c.borrow_mut() = None);
}

/// At every worker start: the registration of the self-hosted content script may be missing
/// (a permission revoked in the browser's settings, a profile copied without it).
pub async fn start() {
    if let Err(e) = sync_registration().await {
        web_sys::console::warn_1(&format!("StandIn: self-hosted content script: {e}").into());
    }
}

/// `storage.onChanged`: drops the snapshot when a key it holds changed, and follows the
/// self-hosted origins with the content script's registration. Firefox may repeat unchanged
/// keys: both are idempotent.
pub async fn storage_changed(area: &str, changes: &JsValue) -> Result<(), ExtError> {
    let has = |key: &str| Reflect::has(changes, &key.into()).unwrap_or(false);
    let local = area == "local";
    if (local && SNAPSHOT_KEYS.into_iter().any(has)) || (area == "sync" && has(SETTINGS_KEY)) {
        invalidate();
    }
    if local && has(ORIGINS_KEY) {
        sync_registration().await?;
    }
    // What the tabs draw from: the team, and the declared items' live state.
    if local && (has(TEAM_KEY) || has(LIVE_KEY)) {
        tell_tabs().await?;
    }
    Ok(())
}

/// Tells the shim in every tab that the team changed (or the live state of its items did,
/// `super::live`): each renders again, reading storage afresh. Tabs without our shim (most)
/// refuse the message, which is all they cost; the message carries nothing, and no `tabs`
/// permission is needed for ids.
async fn tell_tabs() -> Result<(), ExtError> {
    for tab in ext::all_tab_ids().await? {
        spawn_local(async move {
            // No shim there: nothing to tell.
            let _ = ext::send_to_tab(tab, &TeamChanged::MESSAGE).await;
        });
    }
    Ok(())
}

/// Registers the content script on exactly the granted patterns of the stored origins.
async fn sync_registration() -> Result<(), ExtError> {
    let origins: Vec<Origin> = ext::read(Area::Local, &[ORIGINS_KEY])
        .await
        .or_default(ORIGINS_KEY);
    let mut granted = Vec::new();
    for pattern in match_patterns(&origins) {
        if ext::contains_origins(std::slice::from_ref(&pattern)).await? {
            granted.push(pattern);
        }
    }
    let registered = ext::registered_script_matches(SELF_HOSTED_SCRIPT).await?;
    match registered {
        Some(current) if current == granted => return Ok(()),
        None if granted.is_empty() => return Ok(()),
        Some(_) => ext::unregister_content_script(SELF_HOSTED_SCRIPT).await?,
        None => {}
    }
    if !granted.is_empty() {
        ext::register_content_script(SELF_HOSTED_SCRIPT, &granted, CONTENT_SCRIPT).await?;
    }
    Ok(())
}

/// Answers one content-script request (already authorised).
pub async fn answer(request: Request) -> Result<ContentReply, ErrorReply> {
    match request {
        Request::Plan { url } => {
            let snapshot = snapshot().await;
            let reply = features::plan_for(&url, &snapshot.origins);
            if reply.plan.is_some() {
                // Runs once this answer is sent, while the shim scans.
                spawn_local(prepare(url));
            }
            Ok(ContentReply::Plan(Box::new(reply)))
        }
        Request::Render(request) => Ok(ContentReply::Rendered(render(&request).await)),
        Request::Viewed { url, title } => {
            let origins = snapshot().await.origins.clone();
            let now = now();
            if let Some(entry) = activity::entry_for(&url, &title, &origins, now) {
                let log: Vec<activity::ActivityEntry> = ext::read(Area::Local, &[ACTIVITY_KEY])
                    .await
                    .or_default(ACTIVITY_KEY);
                let log = activity::record(log, entry, now);
                let json = ext::encode(&log);
                ext::set(Area::Local, &[(ACTIVITY_KEY, &json)])
                    .await
                    .map_err(internal)?;
            }
            Ok(ContentReply::Done)
        }
        Request::Act {
            url,
            action: Action::Acknowledge(ack),
        } => {
            // Only a hand-off the team cache says is the connected member's, from a page of a
            // tracker: a content script asks about its own page only (`message::authorize`),
            // and whatever else it names is refused here before the server hears of it.
            let snapshot = snapshot().await;
            let on_tracker = sites::classify(&url, &snapshot.origins).is_some();
            let me = snapshot.me.as_deref();
            match handoff_to_me(&snapshot.team, me, &ack.member_id, ack.item.as_deref()) {
                Some(_) if on_tracker => {
                    super::sync::acknowledge(&ack).await?;
                    Ok(ContentReply::Done)
                }
                _ => Err(ErrorReply::new(
                    ErrorCode::Forbidden,
                    "Only a hand-off to you can be acknowledged from a page.",
                )),
            }
        }
        Request::Act {
            url,
            action: Action::DismissBanner,
        } => {
            let origins = snapshot().await.origins.clone();
            let page = sites::classify(&url, &origins).filter(|p| p.item.is_some());
            if let Some(item) = page.and_then(|_| sites::canonical_item_ref(&url, &origins)) {
                let list: Vec<banner::Dismissal> = ext::read(Area::Local, &[DISMISSED_KEY])
                    .await
                    .or_default(DISMISSED_KEY);
                let list = banner::dismiss(list, &item, now());
                let json = ext::encode(&list);
                ext::set(Area::Local, &[(DISMISSED_KEY, &json)])
                    .await
                    .map_err(internal)?;
                // The shim renders again right away; it must not see the old list.
                invalidate();
            }
            Ok(ContentReply::Done)
        }
        // Never sent here: `background` routes only the content scripts' requests.
        _ => Err(ErrorReply::new(
            ErrorCode::BadRequest,
            "Not a content-script request.",
        )),
    }
}

async fn render(request: &RenderRequest) -> RenderReply {
    if request.fresh {
        invalidate();
    }
    let snapshot = snapshot().await;
    let Some(page) = sites::classify(&request.url, &snapshot.origins) else {
        return RenderReply::default();
    };
    // A tracker tab is open: the live state may be refreshed (at most once a minute), and
    // what its item page shows is recorded.
    super::live::trigger();
    let seen = sites::observed(&page, &request.descriptors.0, now());
    if let (Some(item), Some(seen)) = (&page.item, seen) {
        super::live::page_seen(&snapshot.team, &snapshot.origins, item.as_str(), seen);
    }
    rendered(
        &snapshot,
        &request.url,
        &page,
        &request.descriptors.0,
        request.full,
    )
}

fn rendered(
    snapshot: &Snapshot,
    url: &str,
    page: &Page,
    descriptors: &[Descriptor],
    full: bool,
) -> RenderReply {
    let viewer_zone = SharedZone(snapshot.viewer_zone.clone());
    let zone_of = |name: &str| -> Box<dyn ZoneOffsets> { Box::new(SharedZone(zone(name))) };
    let teammates = snapshot.teammates(page.site);
    let inputs = Inputs {
        url,
        page,
        team: &snapshot.team,
        teammates: &teammates,
        now: now(),
        viewer_zone: &viewer_zone,
        zone_of: &zone_of,
        origins: &snapshot.origins,
        dismissed: &snapshot.dismissed,
        me: snapshot.me.as_deref(),
        live: &snapshot.live,
    };
    RenderReply::new(features::render(&inputs, descriptors, full))
}

/// A waking worker's first render ran its code for the first time (V8 compiles a wasm
/// function on its first call): 162 ms against ~30 warm on the bench page. So every start
/// decodes and renders a made-up team and request ([`features::REHEARSAL`]) and converts the
/// reply, while the shim's plan request waits for its storage read; the page's own request
/// then finds the path compiled.
pub fn rehearse() {
    let Ok(rehearsal) = js_sys::JSON::parse(features::REHEARSAL) else {
        return;
    };
    let part = |name: &str| Reflect::get(&rehearsal, &name.into()).unwrap_or_default();
    let (Ok(team), Ok(Request::Render(request))) = (
        ext::from_js::<TeamCache>(&part("team"), "team"),
        ext::from_js::<Request>(&part("message"), "message"),
    ) else {
        return;
    };
    let Some(page) = sites::classify(&request.url, &[]) else {
        return;
    };
    let snapshot = Snapshot {
        team,
        origins: Vec::new(),
        dismissed: Vec::new(),
        viewer_zone: Rc::new(MemoZone::new(Zone::browser())),
        me: None,
        live: LiveMap::new(),
        teammates: RefCell::new(Vec::new()),
    };
    let reply = rendered(
        &snapshot,
        &request.url,
        &page,
        &request.descriptors.0,
        request.full,
    );
    // The reply's conversion to a JS value is on the page's path too; this one is dropped.
    let _ = ext::to_js(&Reply::Content(ContentReply::Rendered(reply)));
}

/// After a page's plan, while its shim scans: the team's handles on the page's site, and every
/// member's zone rules (an `Intl.DateTimeFormat` each, costlier than a render), are made ready
/// for its render request.
async fn prepare(url: String) {
    let snapshot = snapshot().await;
    if let Some(page) = sites::classify(&url, &snapshot.origins) {
        snapshot.teammates(page.site);
    }
    for member in snapshot.team.members.values() {
        zone(&member.timezone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    use crate::time::rfc3339 as t;

    #[wasm_bindgen_test]
    fn remembered_offsets_are_intls_across_a_dst_change() {
        let memo = MemoZone::new(Zone::named("Europe/Berlin").unwrap());
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // The minutes around Berlin's spring-forward (01:00 UTC), asked twice each.
        for _ in 0..2 {
            for at in [
                "2026-03-29T00:58:59Z",
                "2026-03-29T00:59:59Z",
                "2026-03-29T01:00:00Z",
                "2026-07-01T12:00:00Z",
            ] {
                assert_eq!(
                    memo.offset_minutes(t(at)),
                    berlin.offset_minutes(t(at)),
                    "{at}"
                );
            }
        }
        assert_eq!(memo.offsets.borrow().len(), 4);
        assert_eq!(memo.offset_minutes(t("2026-03-29T00:59:59Z")), 60);
        assert_eq!(memo.offset_minutes(t("2026-03-29T01:00:00Z")), 120);
    }
}
