//! The worker's side of live item state (issue 16): where the state of the team's declared
//! items comes from, and how it is kept under `store::LIVE_KEY` (`live::LiveMap`).
//!
//! - **Connected accounts.** A refresh asks each connected GitHub account one batched GraphQL
//!   query and each GitLab account one list request per project and kind (`live::github`,
//!   `live::gitlab`), with the token from `secret` in its service's header, as the mirror
//!   sends it (never logged, never stored elsewhere). At most once a minute per viewer: the
//!   next refresh's time is kept in storage (`store::LIVE_DUE_KEY`), so a restarted worker does
//!   not refresh early, and a service's `Retry-After` pushes it further. Only while someone
//!   looks: the popup's opening and a tracker tab's render request are the triggers; no alarm
//!   polls while nothing is open.
//! - **The page the user has open.** A render request on an item page carries the state rules'
//!   descriptors (`sites::observed`); what they say is recorded the same way.
//!
//! Each read-change-write of the map holds the key's lock (`ext::KeyLock`, as the outbox and
//! the mirror accounts do), so two refreshes, or a refresh and a page, cannot lose each
//! other's update. Each write reaches the tabs (`inline::storage_changed` asks them to render
//! again, as after a team change) and the popup through `storage.onChanged`.

use super::ext::{self, Area, ExtError};
use super::net::Request as HttpRequest;
use super::secret;
use crate::connect::ServerUrl;
use crate::http::REQUEST_TIMEOUT_MS;
use crate::live::{self, github, gitlab, LastSeen, LiveMap, Observed, Read, Unread};
use crate::mirror::{Account, Service};
use crate::sites::Origin;
use crate::store::{LIVE_DUE_KEY, LIVE_KEY, MIRRORS_KEY, ORIGINS_KEY, TEAM_KEY};
use crate::team::TeamCache;
use crate::time::Timestamp;
use std::cell::{Cell, RefCell};
use wasm_bindgen_futures::spawn_local;

/// At most one refresh in this long, per viewer.
pub const REFRESH_MS: i64 = 60_000;

thread_local! {
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    /// When the next refresh is due, as this worker last read or wrote it (0: not yet read).
    static DUE: Cell<i64> = const { Cell::new(0) };
    /// The last page observation recorded: the same again is not recorded.
    static LAST_SEEN: RefCell<LastSeen> = RefCell::default();
}

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

fn warn(error: &ExtError) {
    web_sys::console::warn_1(&format!("StandIn live state: {error}").into());
}

/// The popup opened or a tracker tab asked for a render: refreshes from the connected
/// accounts unless the minute since the last refresh has not passed.
pub fn trigger() {
    if REFRESHING.with(Cell::get) || DUE.with(Cell::get) > now().millis() {
        return;
    }
    REFRESHING.with(|r| r.set(true));
    spawn_local(async {
        if let Err(e) = refresh().await {
            warn(&e);
        }
        REFRESHING.with(|r| r.set(false));
    });
}

async fn refresh() -> Result<(), ExtError> {
    let stored = ext::read(
        Area::Local,
        &[LIVE_DUE_KEY, TEAM_KEY, ORIGINS_KEY, MIRRORS_KEY],
    )
    .await;
    let now = now();
    let due: Option<Timestamp> = stored.or_default(LIVE_DUE_KEY);
    if let Some(due) = due.filter(|d| *d > now) {
        DUE.with(|d| d.set(due.millis()));
        return Ok(());
    }
    let accounts: Vec<Account> = stored.or_default(MIRRORS_KEY);
    let team: TeamCache = stored.or_default(TEAM_KEY);
    let origins: Vec<Origin> = stored.or_default(ORIGINS_KEY);
    let declared = live::declared(&team, &origins);
    let refs = live::refs(&declared);
    // The minute is taken before the network is asked: a trigger meanwhile, or a worker
    // started again, waits for it.
    let mut next = now.plus_ms(REFRESH_MS);
    set_due(next).await?;
    let mut seen = Vec::new();
    let mut lines = Vec::new();
    for account in &accounts {
        let why = match read(account, &refs, now).await {
            Ok(items) => {
                seen.extend(items);
                String::new()
            }
            Err(Unread {
                why,
                retry_after_ms,
            }) => {
                next = next.max(now.plus_ms(retry_after_ms.unwrap_or(0)));
                why
            }
        };
        lines.push((account.service, account.api.clone(), why));
    }
    if next > now.plus_ms(REFRESH_MS) {
        set_due(next).await?;
    }
    record(seen, true).await?;
    super::mirror::read_live(lines).await
}

async fn set_due(at: Timestamp) -> Result<(), ExtError> {
    DUE.with(|d| d.set(at.millis()));
    ext::set(Area::Local, &[(LIVE_DUE_KEY, &ext::encode(&at))]).await
}

/// What `account` says of the items among `refs` on it; nothing for an account with none
/// (or a Slack account). A withdrawn host permission or a missing token is its line's why.
async fn read(account: &Account, refs: &[&str], now: Timestamp) -> Read {
    let service = account.service;
    // Only the account's own service's requests are built.
    let (github_items, gitlab_calls) = match service {
        Service::Github => (github::items(&account.api, refs), Vec::new()),
        Service::Gitlab => (Vec::new(), gitlab::calls(&account.api, refs)),
        Service::Slack => return Ok(Vec::new()),
    };
    if github_items.is_empty() && gitlab_calls.is_empty() {
        return Ok(Vec::new());
    }
    let unread = |why: String| Unread {
        why,
        retry_after_ms: None,
    };
    let api = ServerUrl::parse(&account.api).map_err(|_| unread("connect again".into()))?;
    match ext::contains_origins(&[api.permission_pattern()]).await {
        Ok(true) => {}
        Ok(false) => return Err(unread(format!("permission for {} withdrawn", api.host()))),
        Err(e) => return Err(unread(e.to_string())),
    }
    let token = match secret::token(service.as_str()).await {
        Ok(Some(token)) => token,
        Ok(None) => return Err(unread("connect again".into())),
        Err(e) => return Err(unread(e.to_string())),
    };
    let (name, value) = service.auth_header(&token);
    let request = |method, url: String| {
        HttpRequest::new(method, url, REQUEST_TIMEOUT_MS).header(name, value.clone())
    };
    if service == Service::Github {
        let Some(batch) = github::batch(&account.api, &github_items) else {
            return Ok(Vec::new());
        };
        let body = ext::to_json(&batch).map_err(|e| unread(e.to_string()))?;
        let url = service.url(&account.api, "");
        let answer = request("POST", url).json(body).send().await;
        return github::read(&github_items, &answer, now);
    }
    let mut seen = Vec::new();
    for call in &gitlab_calls {
        let answer = request("GET", call.url.clone()).send().await;
        seen.extend(gitlab::read(call, &answer, now)?);
    }
    Ok(seen)
}

/// Records `seen` for every current declaration holding its items and drops the entries of
/// items no longer declared. A page's observation is written only when a reader would see a
/// change; a refresh is written always (its time is news too). The write itself makes the
/// tabs render again (`inline::storage_changed`).
async fn record(seen: Vec<(String, Observed)>, always: bool) -> Result<(), ExtError> {
    let _writing = ext::KeyLock::take(LIVE_KEY).await;
    let stored = ext::read(Area::Local, &[LIVE_KEY, TEAM_KEY, ORIGINS_KEY]).await;
    let mut map: LiveMap = stored.or_default(LIVE_KEY);
    let team: TeamCache = stored.or_default(TEAM_KEY);
    let origins: Vec<Origin> = stored.or_default(ORIGINS_KEY);
    let shown = live::record(&mut map, &live::declared(&team, &origins), &seen);
    if shown || always {
        ext::set(Area::Local, &[(LIVE_KEY, &ext::encode(&map))]).await?;
    }
    Ok(())
}

/// A tracker tab's shim read the state of its page's item `item_ref` (`sites::observed`):
/// recorded for the declarations holding it, unless it is what this worker recorded last.
pub fn page_seen(team: &TeamCache, origins: &[Origin], item_ref: &str, seen: Observed) {
    let declared = live::declared(team, origins);
    if !declared.iter().any(|d| d.item_ref == item_ref) {
        return;
    }
    if !LAST_SEEN.with(|last| last.borrow_mut().is_news(item_ref, &seen)) {
        return;
    }
    let item_ref = item_ref.to_string();
    spawn_local(async move {
        if let Err(e) = record(vec![(item_ref, seen)], false).await {
            warn(&e);
        }
    });
}
