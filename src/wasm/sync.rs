//! The background worker's side of the team connection (DESIGN.md §4): joining, the outbox
//! sender, the team cache's long-poll loop, and disconnecting (asked, or on a refused token).
//! The rules are in `crate::connect`, `crate::sync`, `crate::outbox` and `crate::team`; this
//! module sequences requests and storage writes.
//!
//! Everything lives in this one worker, which can be stopped between any two events, so all
//! state is in `storage.local` (the token in IndexedDB, see `secret`) and the in-memory flags
//! below only prevent duplicate work within one worker's life:
//! - one team loop per session: it long-polls while the worker runs; the periodic alarm
//!   ([`SYNC_ALARM`]) restarts it after the worker was stopped;
//! - one outbox sender at a time, so a write is never in flight twice; a send that overlaps a
//!   newer declaration is reconciled by `Outbox::record_sent`;
//! - a session number, bumped by connect and disconnect, so a request of an older session
//!   writes nothing when it comes back.

use super::ext::{self, Area, ExtError, Stored};
use super::net::Request as HttpRequest;
use super::secret;
use super::zone::browser_zone_name;
use crate::api::{ChangesResponse, Roster, TeamStates};
use crate::connect::{health_result, join_request, join_result, Connection, ServerUrl};
use crate::http::{Answer, NetError, REQUEST_TIMEOUT_MS};
use crate::message::{ErrorCode, ErrorReply, Response};
use crate::model::{DeclaredState, Settings};
use crate::outbox::{Intent, LocalChange, Outbox, Pending, Resolution};
use crate::store::{
    CONNECTION_KEY, LEGACY_TOKEN_KEY, OUTBOX_KEY, SETTINGS_KEY, STATE_KEY, SYNC_KEY, TEAM_KEY,
};
use crate::sync::{
    check_changes, check_roster, check_states, fetched, poll_backoff_ms, send_outcome,
    unusable_connection, Fetched, SyncStatus, POLL_TIMEOUT_MS, POLL_WAIT_SECONDS, REVOKED,
    SYNC_ALARM, SYNC_ALARM_PERIOD_MINUTES,
};
use crate::team::TeamCache;
use crate::time::Timestamp;
use crate::validate::validate_declaration;
use gloo::timers::callback::Timeout;
use gloo::timers::future::sleep;
use std::cell::{Cell, RefCell};
use std::time::Duration;
use wasm_bindgen_futures::spawn_local;

thread_local! {
    /// Bumped by every connect and disconnect.
    static SESSION: Cell<u32> = const { Cell::new(0) };
    /// The session whose team loop is running in this worker, if any.
    static LOOP_OF: Cell<Option<u32>> = const { Cell::new(None) };
    static SENDING: Cell<bool> = const { Cell::new(false) };
    /// Another send was asked for while one ran (`Some(force)`, forced if any ask was).
    static SEND_AGAIN: Cell<Option<bool>> = const { Cell::new(None) };
    /// The next outbox retry while this worker lives (the alarm covers a stopped worker).
    /// Replacing it drops, and so cancels, the previous one.
    static RETRY: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

fn session_id() -> u32 {
    SESSION.with(Cell::get)
}

fn warn(what: &str, error: &ExtError) {
    web_sys::console::warn_1(&format!("StandIn sync: {what}: {error}").into());
}

fn internal(error: ExtError) -> ErrorReply {
    ErrorReply::new(ErrorCode::Internal, error.to_string())
}

async fn save<T: serde::Serialize>(key: &str, value: &T) -> Result<(), ExtError> {
    let json = ext::encode(value);
    ext::set(Area::Local, &[(key, &json)]).await
}

/// The connection as stored, with its token.
struct Session {
    id: u32,
    server: ServerUrl,
    token: String,
}

impl Session {
    async fn load() -> Option<Session> {
        Session::load_with(&[]).await.0
    }

    /// The session and the keys `also`, read in one call.
    async fn load_with(also: &[&str]) -> (Option<Session>, Stored) {
        let stored = ext::read(Area::Local, &[&[CONNECTION_KEY], also].concat()).await;
        (Session::of(&stored).await, stored)
    }

    /// The session of the connection in `stored`, with the token.
    async fn of(stored: &Stored) -> Option<Session> {
        let id = session_id();
        let token = secret::token(secret::TEAM).await.unwrap_or_else(|e| {
            warn("could not read the token", &e);
            None
        });
        let connection: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
        let server = connection.and_then(|c| ServerUrl::parse(&c.server).ok());
        server
            .zip(token)
            .map(|(server, token)| Session { id, server, token })
    }

    /// Whether connect or disconnect happened since this session was loaded.
    fn ended(&self) -> bool {
        self.id != session_id()
    }

    fn request(&self, method: &'static str, path: &str, timeout_ms: u32) -> HttpRequest {
        HttpRequest::new(method, self.server.endpoint(path), timeout_ms)
            .header("Authorization", format!("Bearer {}", self.token))
    }
}

/// At every worker start: the token is where only the worker reads it, the alarm exists while
/// connected (alarms need not survive a browser restart), the team loop runs, and a due write
/// is sent.
pub async fn start() {
    let stored = ext::read(Area::Local, &[CONNECTION_KEY, LEGACY_TOKEN_KEY]).await;
    if let Err(e) = migrate_token(&stored).await {
        warn("could not move the token out of storage.local", &e);
    }
    let connection: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
    if let Some(why) = connection.as_ref().and_then(unusable_connection) {
        if let Err(e) = end_session(Some(&why), &[]).await {
            warn("could not disconnect", &e);
        }
        return;
    }
    if Session::of(&stored).await.is_none() {
        return;
    }
    if let Err(e) = ext::ensure_periodic_alarm(SYNC_ALARM, SYNC_ALARM_PERIOD_MINUTES).await {
        warn("could not create the sync alarm", &e);
    }
    ensure_team_loop();
    spawn_send(false);
}

/// Earlier versions kept the token in `storage.local`, which content scripts can read: an
/// upgraded browser stays connected with the token moved to IndexedDB.
async fn migrate_token(stored: &Stored) -> Result<(), ExtError> {
    let legacy: Option<String> = stored.get(LEGACY_TOKEN_KEY)?;
    if let Some(token) = legacy {
        secret::set_token(secret::TEAM, &token).await?;
        ext::remove(Area::Local, &[LEGACY_TOKEN_KEY]).await?;
    }
    Ok(())
}

/// The browser started: a write still waiting out its backoff is sent now.
pub fn browser_started() {
    spawn_send(true);
}

/// The periodic alarm.
pub fn tick() {
    ensure_team_loop();
    spawn_send(false);
}

/// The popup declared or cleared (already stored locally): queue it for the server.
pub async fn publish(intent: Intent) -> Result<(), ExtError> {
    let lock = ext::KeyLock::take(OUTBOX_KEY).await;
    let (session, stored) = Session::load_with(&[OUTBOX_KEY]).await;
    if session.is_none() {
        return Ok(());
    }
    let mut outbox: Outbox = stored.or_default(OUTBOX_KEY);
    outbox.enqueue(intent, now());
    save(OUTBOX_KEY, &outbox).await?;
    drop(lock);
    spawn_send(false);
    Ok(())
}

/// Joins the team: checks the address is a StandIn server, redeems the invite with the
/// profile from the settings, stores the token (in IndexedDB, never in the reply) and
/// starts syncing. The current local declaration becomes the new member's first write.
pub async fn connect(server: &str, invite: &str) -> Result<Response, ErrorReply> {
    let server = crate::connect::check_connect_form(server, invite)?;
    let settings: Settings = match ext::read(Area::Sync, &[SETTINGS_KEY])
        .await
        .get(SETTINGS_KEY)
    {
        Ok(settings) => settings.unwrap_or_default(),
        Err(ExtError::Decode { .. }) => Settings::default(),
        Err(e) => return Err(internal(e)),
    };
    let join = join_request(&settings, invite, &browser_zone_name())?;
    let health = HttpRequest::new("GET", server.endpoint("/healthz"), REQUEST_TIMEOUT_MS);
    health_result(&server, health.send().await)?;
    let body = ext::to_json(&join).map_err(internal)?;
    let request = HttpRequest::new("POST", server.endpoint("/v1/join"), REQUEST_TIMEOUT_MS);
    let joined = join_result(&server, request.json(body).send().await)?;

    let now = now();
    let connection = Connection {
        server: server.as_str().to_string(),
        team: joined.team,
        member: joined.member,
        connected_at: now,
    };
    // A new member starts at version 0: an earlier connection's outbox means nothing here.
    let mut outbox = Outbox::default();
    let state: Option<DeclaredState> = ext::read(Area::Local, &[STATE_KEY])
        .await
        .get(STATE_KEY)
        .ok()
        .flatten();
    if let Some(state) = state.filter(|s| validate_declaration(&s.declaration, Some(now)).is_ok()) {
        outbox.enqueue(
            Intent::Declare {
                declaration: Box::new(state.declaration),
            },
            now,
        );
    }
    let connection_json = ext::encode(&connection);
    let outbox_json = ext::encode(&outbox);
    let status_json = ext::encode(&SyncStatus::default());
    // From here on, whatever an older session's loop or send brings back is dropped.
    let lock = ext::KeyLock::take(OUTBOX_KEY).await;
    SESSION.with(|s| s.set(s.get() + 1));
    ext::remove(Area::Local, &[TEAM_KEY])
        .await
        .map_err(internal)?;
    secret::set_token(secret::TEAM, &joined.token)
        .await
        .map_err(internal)?;
    ext::set(
        Area::Local,
        &[
            (CONNECTION_KEY, &connection_json),
            (OUTBOX_KEY, &outbox_json),
            (SYNC_KEY, &status_json),
        ],
    )
    .await
    .map_err(internal)?;
    drop(lock);
    ext::ensure_periodic_alarm(SYNC_ALARM, SYNC_ALARM_PERIOD_MINUTES)
        .await
        .map_err(internal)?;
    ensure_team_loop();
    spawn_send(false);
    Ok(Response::Connected(Box::new(connection)))
}

/// Leaves the team on this browser: forgets the token, the team cache and the outbox. The
/// local declaration stays.
pub async fn disconnect() -> Result<Response, ErrorReply> {
    end_session(None, &[OUTBOX_KEY]).await.map_err(internal)?;
    Ok(Response::Disconnected)
}

/// A refused token: disconnect with the reason, keeping the outbox (connecting again starts
/// from the local declaration anyway).
async fn revoked(session: &Session) {
    if session.ended() {
        return;
    }
    if let Err(e) = end_session(Some(REVOKED), &[]).await {
        warn("could not disconnect", &e);
    }
}

async fn end_session(reason: Option<&str>, also: &[&str]) -> Result<(), ExtError> {
    SESSION.with(|s| s.set(s.get() + 1));
    RETRY.with(|r| r.borrow_mut().take());
    secret::forget_token(secret::TEAM).await?;
    let mut keys = vec![CONNECTION_KEY, TEAM_KEY];
    keys.extend_from_slice(also);
    ext::remove(Area::Local, &keys).await?;
    let status = SyncStatus {
        disconnected: reason.map(str::to_string),
        ..SyncStatus::default()
    };
    save(SYNC_KEY, &status).await?;
    ext::clear_alarm(SYNC_ALARM).await
}

/// Applies the user's choice in the popup's conflict view.
pub async fn resolve(choice: Resolution) -> Result<Response, ErrorReply> {
    let lock = ext::KeyLock::take(OUTBOX_KEY).await;
    let mut outbox: Outbox = ext::read(Area::Local, &[OUTBOX_KEY])
        .await
        .or_default(OUTBOX_KEY);
    let change = outbox
        .resolve(choice, now())
        .map_err(|e| ErrorReply::new(ErrorCode::BadRequest, e.to_string()))?;
    match change {
        LocalChange::Keep => {}
        LocalChange::Set(state) => save(STATE_KEY, &state).await.map_err(internal)?,
        LocalChange::Remove => ext::remove(Area::Local, &[STATE_KEY])
            .await
            .map_err(internal)?,
    }
    save(OUTBOX_KEY, &outbox).await.map_err(internal)?;
    drop(lock);
    spawn_send(false);
    Ok(Response::Resolved)
}

// ---- the outbox sender ----

fn spawn_send(force: bool) {
    if SENDING.with(Cell::get) {
        SEND_AGAIN.with(|a| a.set(Some(force || a.get() == Some(true))));
        return;
    }
    SENDING.with(|s| s.set(true));
    spawn_local(async move {
        let mut force = force;
        loop {
            send_pending(force).await;
            match SEND_AGAIN.with(Cell::take) {
                Some(again) => force = again,
                None => break,
            }
        }
        SENDING.with(|s| s.set(false));
    });
}

/// Sends the pending write if it is due (or at all, when `force`), then any newer one queued
/// meanwhile; schedules the retry of one that failed.
async fn send_pending(mut force: bool) {
    loop {
        let (Some(session), stored) = Session::load_with(&[OUTBOX_KEY]).await else {
            return;
        };
        let outbox: Outbox = stored.or_default(OUTBOX_KEY);
        let pending = if force {
            outbox.pending.clone()
        } else {
            outbox.due(now()).cloned()
        };
        let Some(pending) = pending else {
            return schedule_retry(&outbox);
        };
        force = false;
        let outcome = match state_request(&session, &pending) {
            Ok(request) => send_outcome(request.send().await),
            Err(e) => return warn("could not encode the declaration", &e),
        };
        // Re-read: the popup may have queued a newer write while this one was in flight.
        let lock = ext::KeyLock::take(OUTBOX_KEY).await;
        if session.ended() {
            return;
        }
        let mut outbox: Outbox = ext::read(Area::Local, &[OUTBOX_KEY])
            .await
            .or_default(OUTBOX_KEY);
        let refused = outbox.record_sent(&pending, outcome, now());
        if let Err(e) = save(OUTBOX_KEY, &outbox).await {
            return warn("could not store the outbox", &e);
        }
        drop(lock);
        if refused {
            return revoked(&session).await;
        }
        if outbox.due(now()).is_none() {
            return schedule_retry(&outbox);
        }
    }
}

fn state_request(session: &Session, pending: &Pending) -> Result<HttpRequest, ExtError> {
    let if_match = pending.base_version.to_string();
    Ok(match &pending.intent {
        Intent::Declare { declaration } => session
            .request("PUT", "/v1/me/state", REQUEST_TIMEOUT_MS)
            .header("If-Match", if_match)
            .json(ext::to_json(declaration)?),
        Intent::Clear => session
            .request("DELETE", "/v1/me/state", REQUEST_TIMEOUT_MS)
            .header("If-Match", if_match),
    })
}

fn schedule_retry(outbox: &Outbox) {
    let timer = outbox.pending.as_ref().map(|p| {
        let wait = (p.next_attempt_at.millis() - now().millis()).clamp(0, i64::from(u32::MAX));
        Timeout::new(wait as u32, || spawn_send(false))
    });
    RETRY.with(|r| *r.borrow_mut() = timer);
}

// ---- the team cache ----

fn ensure_team_loop() {
    let session = session_id();
    if LOOP_OF.with(Cell::get) == Some(session) {
        return;
    }
    LOOP_OF.with(|l| l.set(Some(session)));
    spawn_local(async move {
        team_loop().await;
        LOOP_OF.with(|l| {
            if l.get() == Some(session) {
                l.set(None);
            }
        });
    });
}

enum Round {
    Done,
    Unauthorized,
    Failed {
        problem: String,
        retry_after_ms: Option<i64>,
    },
    /// Connect or disconnect happened meanwhile: this loop ends.
    Ended,
}

impl<T> From<Fetched<T>> for Round {
    fn from(fetched: Fetched<T>) -> Round {
        match fetched {
            Fetched::Unauthorized => Round::Unauthorized,
            Fetched::Retry {
                retry_after_ms,
                problem,
            } => Round::Failed {
                problem,
                retry_after_ms,
            },
            Fetched::Rejected(problem) => Round::Failed {
                problem,
                retry_after_ms: None,
            },
            Fetched::Fresh(_) | Fetched::NotModified => Round::Done,
        }
    }
}

/// Fetches the whole team once (or confirms the cache with a 304), then long-polls for
/// changes until the session ends. Failures are reported in the sync status and retried
/// with backoff; the cache keeps its last good copy meanwhile.
async fn team_loop() {
    let mut full = true;
    let mut failures = 0_u32;
    loop {
        let (Some(session), stored) = Session::load_with(&[TEAM_KEY, SYNC_KEY]).await else {
            return;
        };
        if session.ended() {
            return;
        }
        let round = team_round(&session, &stored, &mut full).await;
        if session.ended() {
            return;
        }
        match round {
            Round::Done => {
                if failures > 0 {
                    failures = 0;
                    report_problem(None).await;
                    // The server answers again: a write waiting out its backoff goes now.
                    spawn_send(true);
                }
            }
            Round::Unauthorized => return revoked(&session).await,
            Round::Failed {
                problem,
                retry_after_ms,
            } => {
                failures += 1;
                report_problem(Some(problem)).await;
                let wait = retry_after_ms.unwrap_or(0).max(poll_backoff_ms(failures));
                sleep(Duration::from_millis(wait.unsigned_abs())).await;
            }
            Round::Ended => return,
        }
    }
}

/// `stored` holds the team cache and the sync status, read with the session.
async fn team_round(session: &Session, stored: &Stored, full: &mut bool) -> Round {
    let mut cache: TeamCache = stored.or_default(TEAM_KEY);
    if *full || cache.team.is_none() {
        let mut status: SyncStatus = stored.or_default(SYNC_KEY);
        let mut request = session.request("GET", "/v1/team/states", REQUEST_TIMEOUT_MS);
        if let (Some(etag), Some(_)) = (&status.states_etag, &cache.team) {
            request = request.header("If-None-Match", etag.clone());
        }
        let answer = request.send().await;
        let etag = answer.as_ref().ok().and_then(|a| a.etag.clone());
        match fetched::<TeamStates>("team states", answer, check_states) {
            Fetched::NotModified => {}
            Fetched::Fresh(states) => {
                let roster = session.request("GET", "/v1/team", REQUEST_TIMEOUT_MS);
                let members = match fetched::<Roster>("roster", roster.send().await, check_roster) {
                    Fetched::Fresh(roster) => roster.members,
                    other => return other.into(),
                };
                cache.replace(states, members);
                status.states_etag = etag;
                if session.ended() {
                    return Round::Ended;
                }
                if let Err(e) = store_cache(&cache, Some(&status)).await {
                    warn("could not store the team", &e);
                }
            }
            other => return other.into(),
        }
        *full = false;
    }
    // A write that became due goes out now, not after the wait.
    spawn_send(false);
    let path = format!(
        "/v1/team/changes?after={}&wait={POLL_WAIT_SECONDS}",
        cache.cursor
    );
    let answer: Result<Answer, NetError> =
        session.request("GET", &path, POLL_TIMEOUT_MS).send().await;
    match fetched::<ChangesResponse>("team changes", answer, check_changes) {
        Fetched::Fresh(changes) => {
            if session.ended() {
                return Round::Ended;
            }
            if changes.reset {
                // The server's history restarted (a restored database): fetch everything
                // again, without an ETag that may name a different past.
                let mut status: SyncStatus = ext::read(Area::Local, &[SYNC_KEY])
                    .await
                    .or_default(SYNC_KEY);
                status.states_etag = None;
                *full = true;
                if let Err(e) = save(SYNC_KEY, &status).await {
                    warn("could not store the sync status", &e);
                }
                return Round::Done;
            }
            if cache.apply(changes) {
                if let Err(e) = store_cache(&cache, None).await {
                    warn("could not store the team", &e);
                }
            }
            Round::Done
        }
        other => other.into(),
    }
}

async fn store_cache(cache: &TeamCache, status: Option<&SyncStatus>) -> Result<(), ExtError> {
    let cache_json = ext::encode(cache);
    match status {
        Some(status) => {
            let status_json = ext::encode(status);
            ext::set(
                Area::Local,
                &[(TEAM_KEY, &cache_json), (SYNC_KEY, &status_json)],
            )
            .await
        }
        None => ext::set(Area::Local, &[(TEAM_KEY, &cache_json)]).await,
    }
}

/// Records (or clears) why the team view may be out of date; writes only on a change.
async fn report_problem(problem: Option<String>) {
    let mut status: SyncStatus = ext::read(Area::Local, &[SYNC_KEY])
        .await
        .or_default(SYNC_KEY);
    if status.team_problem == problem {
        return;
    }
    status.team_problem = problem;
    if let Err(e) = save(SYNC_KEY, &status).await {
        warn("could not store the sync status", &e);
    }
}

// ---- acknowledgements (the digest's "Acknowledge") ----

/// Acknowledges a hand-off addressed to the user (`POST /v1/team/acks`) and puts the
/// declarer's state the server answers, acknowledgement included, into the team cache. The
/// long poll brings the same change too; this only saves the wait. The answer is read by
/// `crate::digest::ack_result`.
pub async fn acknowledge(request: &crate::api::AckRequest) -> Result<Response, ErrorReply> {
    use crate::digest::{ack_result, AckFailure};
    let Some(session) = Session::load().await else {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            "Not connected to a team: connect in StandIn's options first.",
        ));
    };
    let body = ext::to_json(request).map_err(internal)?;
    let answer = session
        .request("POST", "/v1/team/acks", REQUEST_TIMEOUT_MS)
        .json(body)
        .send()
        .await;
    let state = match ack_result(answer) {
        Ok(state) => state,
        Err(AckFailure::Unauthorized) => {
            revoked(&session).await;
            return Err(ErrorReply::new(ErrorCode::Forbidden, REVOKED));
        }
        Err(AckFailure::Failed(message)) => {
            return Err(ErrorReply::new(ErrorCode::Internal, message))
        }
    };
    if session.ended() {
        return Ok(Response::Acknowledged);
    }
    let mut cache: TeamCache = ext::read(Area::Local, &[TEAM_KEY])
        .await
        .or_default(TEAM_KEY);
    let changes = ChangesResponse {
        cursor: cache.cursor,
        reset: false,
        states: vec![state],
        members: vec![],
        removed_members: vec![],
    };
    if cache.apply(changes) {
        store_cache(&cache, None).await.map_err(internal)?;
    }
    Ok(Response::Acknowledged)
}
