//! The background worker's side of "Status everywhere": connecting an account (the token is
//! tested, then kept in IndexedDB beside the team's, see `secret`), queueing a mirror on every
//! declare and clear and when the declaration expires, and sending each account's mirror with
//! the outbox's backoff. What is sent and what an answer means is decided in `crate::mirror`.
//!
//! Each token goes to its own API origin only, in its service's header; no reply, storage key
//! or log line carries it. A mirror is sent only while the browser grants the API's host
//! permission; withdrawn, the account says so and its mirror waits until it is back.

use super::ext::{self, Area, ExtError};
use super::net::Request as HttpRequest;
use super::secret;
use crate::connect::ServerUrl;
use crate::http::REQUEST_TIMEOUT_MS;
use crate::message::{ErrorCode, ErrorReply, Response};
use crate::mirror::{
    mirror_call, mirror_outcome, scope_check, scopes_call, whoami_call, whoami_outcome, Account,
    Call, Job, MirrorSettings, Outcome, Service,
};
use crate::model::DeclaredState;
use crate::outbox::Intent;
use crate::store::{MIRRORS_KEY, MIRROR_SETTINGS_KEY, STATE_KEY};
use crate::time::Timestamp;
use crate::validate::FieldError;
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use wasm_bindgen_futures::spawn_local;

/// Fires when the earliest mirror retry is due, should the worker have stopped by then.
pub const MIRROR_ALARM: &str = "mirror-retry";

/// The longest token accepted (GitHub's, GitLab's and Slack's are well under it).
const MAX_TOKEN_BYTES: usize = 512;

thread_local! {
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static SEND_AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The next retry while this worker lives; replacing it cancels the previous one.
    static RETRY: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

fn internal(error: ExtError) -> ErrorReply {
    ErrorReply::new(ErrorCode::Internal, error.to_string())
}

async fn accounts() -> Vec<Account> {
    ext::read(Area::Local, &[MIRRORS_KEY])
        .await
        .or_default(MIRRORS_KEY)
}

/// A change of the stored accounts (see [`update`]).
type Change<'a> = Box<dyn FnOnce(&mut Vec<Account>) + 'a>;

/// Reads, changes and writes the accounts under their [`ext::KeyLock`]. `change` is boxed so
/// that this future is in the module once, not once per caller.
async fn update(change: Change<'_>) -> Result<(), ExtError> {
    let _lock = ext::KeyLock::take(MIRRORS_KEY).await;
    let mut all = accounts().await;
    change(&mut all);
    ext::set(Area::Local, &[(MIRRORS_KEY, &ext::encode(&all))]).await
}

/// The exchange `call`, with the token in the service's header.
fn request(service: Service, call: Call, token: &str) -> Result<HttpRequest, ExtError> {
    let (name, value) = service.auth_header(token);
    let request = HttpRequest::new(call.method, call.url, REQUEST_TIMEOUT_MS).header(name, value);
    Ok(match call.body {
        Some(body) => request.json(ext::to_json(&body)?),
        None => request,
    })
}

fn why(outcome: Outcome) -> String {
    match outcome {
        Outcome::Done => String::new(),
        Outcome::Transient { why, .. } | Outcome::Stop(why) => why,
    }
}

/// Tests the token and its scopes, keeps it, and mirrors the current declaration to the
/// account at once. A token that lacks the scope is refused like a refused token: nothing kept.
pub async fn connect(service: Service, api: &str, token: &str) -> Result<Response, ErrorReply> {
    let invalid = |name: &str, message: String| ErrorReply {
        error: ErrorCode::Invalid,
        message: message.clone(),
        errors: vec![FieldError {
            field: format!("{}_{name}", service.as_str()),
            message,
        }],
    };
    let api = ServerUrl::parse(api).map_err(|m| invalid("api", m.to_string()))?;
    let token = token.trim();
    if token.is_empty()
        || token.len() > MAX_TOKEN_BYTES
        || !token.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(invalid(
            "token",
            "Paste the personal access token: one line, no spaces.".into(),
        ));
    }
    let answer = request(service, whoami_call(service, api.as_str()), token)
        .map_err(internal)?
        .send()
        .await;
    let login = whoami_outcome(service, &answer).map_err(|o| invalid("token", why(o)))?;
    let scopes = match scopes_call(service, api.as_str()) {
        Some(call) => Some(
            request(service, call, token)
                .map_err(internal)?
                .send()
                .await,
        ),
        None => None,
    };
    scope_check(service, &answer, scopes.as_ref()).map_err(|m| invalid("token", m))?;
    secret::set_token(service.as_str(), token)
        .await
        .map_err(internal)?;
    let mut account = Account::new(service, api.as_str().to_string(), login.clone(), now());
    let state: Option<DeclaredState> = ext::read(Area::Local, &[STATE_KEY])
        .await
        .get(STATE_KEY)
        .ok()
        .flatten();
    if let Some(state) = state {
        let intent = Intent::Declare {
            declaration: Box::new(state.declaration),
        };
        account.enqueue(intent, now());
    }
    update(Box::new(|all| {
        all.retain(|a| a.service != service);
        all.push(account);
    }))
    .await
    .map_err(internal)?;
    spawn_send();
    Ok(Response::AccountConnected { login })
}

/// Forgets the account and deletes its token.
pub async fn disconnect(service: Service) -> Result<Response, ErrorReply> {
    secret::forget_token(service.as_str())
        .await
        .map_err(internal)?;
    update(Box::new(|all| all.retain(|a| a.service != service)))
        .await
        .map_err(internal)?;
    Ok(Response::Disconnected)
}

/// Each account's last read of the declared items' live state (`super::live`): why it failed
/// as a whole, or empty, for the account's line in the popup.
pub async fn read_live(lines: Vec<(Service, String, String)>) -> Result<(), ExtError> {
    update(Box::new(move |all| {
        for (service, api, why) in lines {
            if let Some(account) = all
                .iter_mut()
                .find(|a| a.service == service && a.api == api)
            {
                account.live = why;
            }
        }
    }))
    .await
}

/// The user declared or cleared: each account mirrors it, replacing what is still pending.
pub async fn publish(intent: &Intent) -> Result<(), ExtError> {
    if accounts().await.is_empty() {
        return Ok(());
    }
    update(Box::new(|all| {
        for account in all {
            account.enqueue(intent.clone(), now());
        }
    }))
    .await?;
    spawn_send();
    Ok(())
}

/// The declaration's expiry alarm: an expired declaration is cleared everywhere (each service
/// was also told when it ends; this covers a service that was not).
pub async fn expiry_passed() -> Result<(), ExtError> {
    let state: Option<DeclaredState> = ext::read(Area::Local, &[STATE_KEY]).await.get(STATE_KEY)?;
    match state {
        Some(state) if state.is_expired(now()) => publish(&Intent::Clear).await,
        _ => Ok(()),
    }
}

/// A host permission was given or taken: mirrors waiting for one are tried again.
pub async fn permissions_changed() {
    let resumed = update(Box::new(|all| all.iter_mut().for_each(Account::resume))).await;
    if let Err(e) = resumed {
        warn(&e);
    }
    spawn_send();
}

fn warn(error: &ExtError) {
    web_sys::console::warn_1(&format!("StandIn mirror: {error}").into());
}

/// Sends what is due, one sender at a time.
pub fn spawn_send() {
    if SENDING.with(|s| s.replace(true)) {
        SEND_AGAIN.with(|a| a.set(true));
        return;
    }
    spawn_local(async {
        loop {
            if let Err(e) = send_due().await {
                warn(&e);
            }
            if !SEND_AGAIN.with(Cell::take) {
                break;
            }
        }
        SENDING.with(|s| s.set(false));
    });
}

enum Attempt {
    Answered(Outcome),
    Withdrawn(String),
}

async fn send_due() -> Result<(), ExtError> {
    let settings: MirrorSettings = ext::read(Area::Local, &[MIRROR_SETTINGS_KEY])
        .await
        .or_default(MIRROR_SETTINGS_KEY);
    for account in accounts().await {
        let Some(job) = account.due(now()) else {
            continue;
        };
        let attempt = attempt(&account, &job, &settings).await;
        // On the accounts as they are now: a newer declaration, or a disconnect, may have
        // come meanwhile.
        update(Box::new(|all| {
            let current = all
                .iter_mut()
                .find(|a| a.service == account.service && a.api == account.api);
            match (current, attempt) {
                (Some(current), Attempt::Answered(outcome)) => current.record(&job, outcome, now()),
                (Some(current), Attempt::Withdrawn(host)) => current.withdrawn(&host),
                (None, _) => {}
            }
        }))
        .await?;
    }
    schedule(&accounts().await).await
}

async fn attempt(account: &Account, job: &Job, settings: &MirrorSettings) -> Attempt {
    let service = account.service;
    let Ok(api) = ServerUrl::parse(&account.api) else {
        return Attempt::Answered(Outcome::Stop("connect again".into()));
    };
    match ext::contains_origins(&[api.permission_pattern()]).await {
        Ok(true) => {}
        Ok(false) => return Attempt::Withdrawn(api.host().to_string()),
        Err(e) => return Attempt::Answered(transient(e)),
    }
    let token = match secret::token(service.as_str()).await {
        Ok(Some(token)) => token,
        Ok(None) => return Attempt::Answered(Outcome::Stop("connect again".into())),
        Err(e) => return Attempt::Answered(transient(e)),
    };
    let call = mirror_call(service, &account.api, &job.intent, settings, now());
    Attempt::Answered(match request(service, call, &token) {
        Ok(request) => mirror_outcome(service, &request.send().await),
        Err(e) => Outcome::Stop(e.to_string()),
    })
}

fn transient(error: ExtError) -> Outcome {
    Outcome::Transient {
        why: error.to_string(),
        retry_after_ms: None,
    }
}

/// The next retry: a timer while this worker lives, an alarm should it stop.
async fn schedule(all: &[Account]) -> Result<(), ExtError> {
    let now = now();
    let next = all
        .iter()
        .filter_map(|a| a.waiting().map(|j| j.next_attempt_at))
        .min();
    let Some(next) = next else {
        RETRY.with(|r| r.borrow_mut().take());
        return ext::clear_alarm(MIRROR_ALARM).await;
    };
    let wait = (next.millis() - now.millis()).clamp(0, i64::from(u32::MAX));
    RETRY.with(|r| *r.borrow_mut() = Some(Timeout::new(wait as u32, spawn_send)));
    ext::create_alarm_in(MIRROR_ALARM, wait).await
}
