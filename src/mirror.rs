//! "Status everywhere" (issue 15), pure: the declared state as GitHub's, GitLab's and Slack's
//! user status. What each service's request holds for a declaration or a clear, how its
//! answer reads (done, retry later, or stop and say why), the retry policy per account and
//! the lines the popup and the options page show. The worker (`wasm::mirror`) does the I/O;
//! the tokens never pass through here except into the one header that carries them.
//!
//! Contracts followed:
//! - GitHub GraphQL: `changeUserStatus(input: ChangeUserStatusInput!)` (`message`, `emoji`,
//!   `limitedAvailability`, `expiresAt`), `viewer { login }`; errors of type
//!   `INSUFFICIENT_SCOPES` and `RATE_LIMITED`.
//! - GitLab Users API: `PUT /user/status` (`emoji`, `message`, `availability`,
//!   `clear_status_after`), `GET /user`; the token in `PRIVATE-TOKEN`.
//! - Slack Web API: `users.profile.set` (`profile.status_text`, `status_emoji`,
//!   `status_expiration`), `auth.test`; answers `{"ok":false,"error":"…"}` with status 200.
//! - The token's scopes, read at Connect ([`scope_check`]): GitHub's `X-OAuth-Scopes` on every
//!   answer to a classic token or OAuth app ("Scopes for OAuth apps"; none for a fine-grained
//!   or GitHub App token); Slack's `x-oauth-scopes` on every Web API answer (legacy "OAuth
//!   scopes › Working with scopes"; `@slack/web-api` reads it into `response_metadata.scopes`);
//!   GitLab's `GET /personal_access_tokens/self` (Personal access tokens API; older
//!   self-managed instances answer 404).

use crate::display::shown;
use crate::http::{retry_after_ms, Answer, NetError};
use crate::model::{Declaration, Status};
use crate::outbox::{backoff_ms, Intent};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The account a mirror goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Github,
    Gitlab,
    Slack,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Github, Service::Gitlab, Service::Slack];

    /// The id prefix of its controls in the options page, and its secret's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Github => "github",
            Service::Gitlab => "gitlab",
            Service::Slack => "slack",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Service::Github => "GitHub",
            Service::Gitlab => "GitLab",
            Service::Slack => "Slack",
        }
    }

    /// The longest status message the service keeps, in characters.
    pub fn max_message(self) -> usize {
        match self {
            Service::Github => 80,
            Service::Gitlab | Service::Slack => 100,
        }
    }

    /// The least scope the token needs to set a status (README, "Status everywhere"): GitHub's
    /// `user` ("read/write access to profile info"; `read:user` cannot write), GitLab's `api`
    /// (Access token scopes: no narrower one writes; `read_user` is read-only), Slack's
    /// `users.profile:write` (users.profile.set › Required scopes).
    fn scope(self) -> &'static str {
        match self {
            Service::Github => "user",
            Service::Gitlab => "api",
            Service::Slack => "users.profile:write",
        }
    }

    /// The header that carries the token.
    pub fn auth_header(self, token: &str) -> (&'static str, String) {
        match self {
            Service::Gitlab => ("PRIVATE-TOKEN", token.to_string()),
            Service::Github | Service::Slack => ("Authorization", format!("Bearer {token}")),
        }
    }

    /// The URL of an API call on the account's API base (`https://api.github.com`, a GitLab
    /// instance's address, `https://slack.com/api`).
    pub(crate) fn url(self, api: &str, call: &str) -> String {
        match self {
            // GHES: `https://HOST/api` + `/graphql`.
            Service::Github => format!("{api}/graphql"),
            Service::Gitlab => format!("{api}/api/v4/{call}"),
            Service::Slack => format!("{api}/{call}"),
        }
    }
}

/// A connected account as the worker keeps it (`storage.local`, key `store::MIRRORS_KEY`):
/// where it is and who, never the token (IndexedDB, `wasm::secret`). Its mirror and report
/// are flat fields, not types of their own: each stored type costs the worker its serde
/// reader and writer (issue 12's budget).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub service: Service,
    /// The normalised API base (`connect::ServerUrl`).
    pub api: String,
    /// The user the token belongs to, as the service named it when connecting.
    pub login: String,
    /// The mirror still to send, if any: only the newest declaration's.
    #[serde(default)]
    pub pending: Option<Intent>,
    /// The tries of `pending` so far.
    #[serde(default)]
    pub attempts: u32,
    /// When `pending` is due; with nothing pending, when the last mirror ended.
    pub at: Timestamp,
    /// What happened last, for the popup.
    #[serde(default)]
    pub report: Option<Report>,
    /// Why it is retried or stopped.
    #[serde(default)]
    pub why: String,
    /// Why the last read of the declared items' live state (issue 16) failed as a whole;
    /// empty when it did not (an item the token cannot see is simply left out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub live: String,
}

/// A mirror taken to send: the account's pending intent as it was then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub intent: Intent,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
}

/// The account's line in the popup (with [`Account::at`] and [`Account::why`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    Updated,
    Cleared,
    Retrying,
    /// Not retried: the user has to act (a new token, a scope, the permission).
    Stopped,
}

/// What the user chose about mirroring (`storage.local`, key `store::MIRROR_SETTINGS_KEY`,
/// written by the options page only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorSettings {
    /// Whether Focus shows as busy (GitHub's limited availability, GitLab's busy).
    #[serde(default)]
    pub focus_busy: bool,
    /// Emoji names (without colons) for GitLab and Slack, by status, used when the
    /// declaration has no emoji those services know.
    #[serde(default)]
    pub emoji: EmojiTable,
    /// The statuses each service does not mirror; its status is cleared for them instead.
    #[serde(default)]
    pub off: Vec<Off>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Off {
    pub service: Service,
    pub status: Status,
}

impl MirrorSettings {
    pub fn mirrors(&self, service: Service, status: Status) -> bool {
        !self.off.contains(&Off { service, status })
    }

    fn busy(&self, status: Status) -> bool {
        match status {
            Status::Online => false,
            Status::Focus => self.focus_busy,
            Status::Away | Status::Offline | Status::Ooo => true,
        }
    }
}

/// Emoji names by status; the options page edits them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmojiTable {
    pub online: String,
    pub focus: String,
    pub away: String,
    pub offline: String,
    pub ooo: String,
}

impl Default for EmojiTable {
    fn default() -> EmojiTable {
        EmojiTable {
            online: "large_green_circle".into(),
            focus: "headphones".into(),
            away: "walking".into(),
            offline: "zzz".into(),
            ooo: "palm_tree".into(),
        }
    }
}

impl EmojiTable {
    pub fn get(&self, status: Status) -> &str {
        match status {
            Status::Online => &self.online,
            Status::Focus => &self.focus,
            Status::Away => &self.away,
            Status::Offline => &self.offline,
            Status::Ooo => &self.ooo,
        }
    }

    pub fn set(&mut self, status: Status, name: String) {
        *match status {
            Status::Online => &mut self.online,
            Status::Focus => &mut self.focus,
            Status::Away => &mut self.away,
            Status::Offline => &mut self.offline,
            Status::Ooo => &mut self.ooo,
        } = name;
    }
}

/// Whether a name is one GitLab and Slack could know: `:`-free lower-case letters, digits,
/// `_`, `+`, `-`, at most 64.
pub fn valid_emoji_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_+-".contains(&b))
}

/// The emoji people pick most, by name, so a declaration's emoji carries to GitLab and
/// Slack (which take names); any other falls back to the status's name in the table.
const KNOWN_EMOJI: &[(&str, &str)] = &[
    ("🎧", "headphones"),
    ("🌴", "palm_tree"),
    ("🏖️", "beach_with_umbrella"),
    ("☕", "coffee"),
    ("🍽️", "fork_and_knife"),
    ("🤒", "face_with_thermometer"),
    ("🏠", "house"),
    ("✈️", "airplane"),
    ("📅", "calendar"),
    ("💤", "zzz"),
    ("🎯", "dart"),
    ("🚶", "walking"),
    ("🟢", "large_green_circle"),
    ("🔴", "red_circle"),
    ("💻", "computer"),
    ("🤔", "thinking_face"),
];

/// The emoji name for GitLab and Slack.
fn emoji_name(declaration: &Declaration, settings: &MirrorSettings) -> String {
    let known = declaration.emoji.as_deref().and_then(|e| {
        let bare = e.trim_end_matches('\u{FE0F}');
        KNOWN_EMOJI
            .iter()
            .find(|(glyph, _)| glyph.trim_end_matches('\u{FE0F}') == bare)
            .map(|(_, name)| (*name).to_string())
    });
    let name = known.unwrap_or_else(|| settings.emoji.get(declaration.status).to_string());
    if valid_emoji_name(&name) {
        name
    } else {
        EmojiTable::default().get(declaration.status).to_string()
    }
}

/// At most `max` characters (Unicode scalar values, the stricter count, so no service counts
/// more), cut at a grapheme boundary and ended with "…" when cut.
pub fn cut_message(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut graphemes = max.saturating_sub(1);
    loop {
        let end = crate::text::grapheme_prefix_len(text, graphemes);
        let head = text[..end].trim_end();
        if head.chars().count() < max || graphemes == 0 {
            return format!("{head}…");
        }
        graphemes -= 1;
    }
}

/// When the mirrored status should end: the earlier of back-at and expiry.
fn until(declaration: &Declaration) -> Option<Timestamp> {
    match (declaration.back_at, declaration.expires_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `a / b` rounded up (`i64::div_ceil` is not stable).
fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

/// GitLab's documented `clear_status_after` values (Users API, "Set the current user's
/// status"), shortest first.
const GITLAB_CLEAR_AFTER: &[(&str, i64)] = &[
    ("30_minutes", 30),
    ("3_hours", 180),
    ("8_hours", 480),
    ("1_day", 1_440),
    ("3_days", 4_320),
    ("7_days", 10_080),
    ("30_days", 43_200),
];

/// The shortest value that does not clear the status before `until`; none past 30 days (the
/// worker clears it when the declaration expires).
pub fn gitlab_clear_after(until: Timestamp, now: Timestamp) -> Option<&'static str> {
    let minutes = ceil_div(until.millis() - now.millis(), 60_000);
    GITLAB_CLEAR_AFTER
        .iter()
        .find(|(_, m)| *m >= minutes)
        .map(|(name, _)| *name)
}

/// What a service is to show: `None` clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub message: String,
    /// GitHub: the declaration's own emoji, else `:name:`; GitLab and Slack: a name.
    pub emoji: String,
    pub busy: bool,
    pub until: Option<Timestamp>,
}

/// What `service` shows for `intent` at `now`: nothing for a clear, a status the user does
/// not mirror there, or a declaration already over.
pub fn shown_for(
    service: Service,
    intent: &Intent,
    settings: &MirrorSettings,
    now: Timestamp,
) -> Option<Shown> {
    let Intent::Declare { declaration } = intent else {
        return None;
    };
    let until = until(declaration);
    if !settings.mirrors(service, declaration.status) || until.is_some_and(|t| t <= now) {
        return None;
    }
    let name = emoji_name(declaration, settings);
    let emoji = match (service, &declaration.emoji) {
        (Service::Github, Some(own)) => own.clone(),
        (Service::Github, None) => format!(":{name}:"),
        _ => name,
    };
    Some(Shown {
        message: cut_message(&declaration.headline, service.max_message()),
        emoji,
        busy: settings.busy(declaration.status),
        until,
    })
}

/// One request to a service, as data; the worker adds the token's header and sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub method: &'static str,
    pub url: String,
    pub body: Option<Body>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    Graphql(Graphql),
    Gitlab(GitlabStatus),
    Slack { profile: SlackProfile },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Graphql {
    pub query: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<GithubVariables>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GithubVariables {
    pub input: GithubInput,
}

/// `ChangeUserStatusInput`; all absent clears the status.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GithubInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_availability: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

const GITHUB_SET: &str =
    "mutation($input: ChangeUserStatusInput!) { changeUserStatus(input: $input) { status { message } } }";
const GITHUB_VIEWER: &str = "query { viewer { login } }";

/// `PUT /user/status`; empty emoji and message clear the status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitlabStatus {
    pub emoji: String,
    pub message: String,
    pub availability: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_status_after: Option<&'static str>,
}

/// `users.profile.set`'s profile; empty text and emoji clear the status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlackProfile {
    pub status_text: String,
    pub status_emoji: String,
    /// Unix seconds; 0 never expires.
    pub status_expiration: i64,
}

/// The request that mirrors `intent` to `service` at `api`.
pub fn mirror_call(
    service: Service,
    api: &str,
    intent: &Intent,
    settings: &MirrorSettings,
    now: Timestamp,
) -> Call {
    let shown = shown_for(service, intent, settings, now);
    let body = match service {
        Service::Github => Body::Graphql(Graphql {
            query: GITHUB_SET,
            variables: Some(GithubVariables {
                input: shown.map_or_else(GithubInput::default, |s| GithubInput {
                    message: Some(s.message),
                    emoji: Some(s.emoji),
                    limited_availability: Some(s.busy),
                    expires_at: s.until,
                }),
            }),
        }),
        Service::Gitlab => Body::Gitlab(match shown {
            Some(s) => GitlabStatus {
                emoji: s.emoji,
                message: s.message,
                availability: if s.busy { "busy" } else { "not_set" },
                clear_status_after: s.until.and_then(|t| gitlab_clear_after(t, now)),
            },
            None => GitlabStatus {
                emoji: String::new(),
                message: String::new(),
                availability: "not_set",
                clear_status_after: None,
            },
        }),
        Service::Slack => Body::Slack {
            profile: match shown {
                Some(s) => SlackProfile {
                    status_text: s.message,
                    status_emoji: format!(":{}:", s.emoji),
                    status_expiration: s.until.map_or(0, |t| ceil_div(t.millis(), 1000)),
                },
                None => SlackProfile {
                    status_text: String::new(),
                    status_emoji: String::new(),
                    status_expiration: 0,
                },
            },
        },
    };
    let (method, call) = match service {
        Service::Github => ("POST", ""),
        Service::Gitlab => ("PUT", "user/status"),
        Service::Slack => ("POST", "users.profile.set"),
    };
    Call {
        method,
        url: service.url(api, call),
        body: Some(body),
    }
}

/// The request that tests a token and names its user.
pub fn whoami_call(service: Service, api: &str) -> Call {
    let (method, call, body) = match service {
        Service::Github => (
            "POST",
            "",
            Some(Body::Graphql(Graphql {
                query: GITHUB_VIEWER,
                variables: None,
            })),
        ),
        Service::Gitlab => ("GET", "user", None),
        Service::Slack => ("POST", "auth.test", None),
    };
    Call {
        method,
        url: service.url(api, call),
        body,
    }
}

/// How one exchange with a service ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Worth trying again (`Retry-After` in ms if given).
    Transient {
        why: String,
        retry_after_ms: Option<i64>,
    },
    /// Retrying cannot help; the user has to act.
    Stop(String),
}

/// Every answer body the mirror reads, in one shape (one reader in the wasm module, not one
/// per service): GitHub's `data` and `errors`, GitLab's `username` and `availability`, Slack's
/// `ok`, `error` and `user`. Other fields are ignored.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    data: Option<Data>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    availability: Option<String>,
    #[serde(default)]
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    user: Option<String>,
    /// GitLab's `personal_access_tokens/self`: the token's scopes.
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// GraphQL `data`: `viewer { login }` for the token check; `changeUserStatus` is not read.
#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    viewer: Option<Login>,
}

/// A GraphQL error as GitHub sends it: its `type` (`RATE_LIMITED`, `INSUFFICIENT_SCOPES`,
/// `NOT_FOUND`, …). Also read from the live state's query (`crate::live::github`).
#[derive(Deserialize)]
pub(crate) struct GraphqlError {
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Whether any of `errors` is of the type `kind`.
pub(crate) fn has_error(errors: &[GraphqlError], kind: &str) -> bool {
    errors.iter().any(|e| e.kind.as_deref() == Some(kind))
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

/// The status of an answer, before its body: what failed in transport or HTTP (also for the
/// live item state's reads, `crate::live`).
pub(crate) fn http_outcome(service: Service, answer: &Result<Answer, NetError>) -> Option<Outcome> {
    let answer = match answer {
        Err(NetError::TooLarge | NetError::NotText) => {
            return Some(Outcome::Stop(format!(
                "{} answered with something StandIn cannot read",
                service.label()
            )))
        }
        Err(e) => {
            return Some(Outcome::Transient {
                why: e.to_string(),
                retry_after_ms: None,
            })
        }
        Ok(answer) => answer,
    };
    let retry_after = retry_after_ms(answer.retry_after.as_deref());
    Some(match answer.status {
        200..=299 => return None,
        401 => Outcome::Stop("the token was refused (401): connect again with a new one".into()),
        403 if answer.body.contains("insufficient_scope") => lacks_scope(service),
        // GitHub answers a rate limit with 403 as often as 429: with Retry-After, or asking
        // to wait at least a minute (docs.github.com, "Rate limits and node limits for the
        // GraphQL API" › "Exceeding the rate limit"). Later, not never.
        403 if retry_after.is_some() || answer.body.contains("rate limit") => Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: retry_after.or(Some(60_000)),
        },
        403 => Outcome::Stop("the token may not do this (403)".into()),
        429 => Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: retry_after,
        },
        500..=599 => Outcome::Transient {
            why: format!("{} is unavailable ({})", service.label(), answer.status),
            retry_after_ms: retry_after,
        },
        status => Outcome::Stop(format!("{} refused it ({status})", service.label())),
    })
}

fn lacks_scope(service: Service) -> Outcome {
    Outcome::Stop(format!("the token lacks the {} scope", service.scope()))
}

fn unreadable(service: Service) -> Outcome {
    Outcome::Stop(format!(
        "{} answered with something StandIn cannot read",
        service.label()
    ))
}

/// Reads a Slack `{"ok":false,"error":…}`.
fn slack_error(error: Option<&str>) -> Outcome {
    match error.unwrap_or("") {
        "missing_scope" => lacks_scope(Service::Slack),
        "ratelimited" => Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: None,
        },
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            Outcome::Stop("the token was refused: connect again with a new one".into())
        }
        // Slack's error codes are short snake_case words; anything else is not shown.
        code if valid_emoji_name(code) => Outcome::Stop(format!("Slack refused it ({code})")),
        _ => unreadable(Service::Slack),
    }
}

fn graphql_errors(errors: &[GraphqlError]) -> Option<Outcome> {
    let kind = |k: &str| has_error(errors, k);
    if errors.is_empty() {
        None
    } else if kind("INSUFFICIENT_SCOPES") {
        Some(lacks_scope(Service::Github))
    } else if kind("RATE_LIMITED") {
        Some(Outcome::Transient {
            why: "rate limited".into(),
            retry_after_ms: None,
        })
    } else {
        Some(Outcome::Stop("GitHub refused the change".into()))
    }
}

/// The body of a 2xx answer, or why it cannot be used: GraphQL errors, Slack's refusals, a
/// body of the wrong shape.
fn reply(service: Service, answer: &Result<Answer, NetError>) -> Result<Reply, Outcome> {
    if let Some(outcome) = http_outcome(service, answer) {
        return Err(outcome);
    }
    let read: Reply = match answer {
        Ok(answer) => answer.json().map_err(|_| unreadable(service))?,
        Err(_) => return Err(unreadable(service)),
    };
    match service {
        Service::Github => match graphql_errors(&read.errors) {
            Some(outcome) => Err(outcome),
            None if read.data.is_none() => Err(unreadable(service)),
            None => Ok(read),
        },
        Service::Gitlab => Ok(read),
        Service::Slack if read.ok => Ok(read),
        Service::Slack => Err(slack_error(read.error.as_deref())),
    }
}

/// How a mirror's answer reads.
pub fn mirror_outcome(service: Service, answer: &Result<Answer, NetError>) -> Outcome {
    match reply(service, answer) {
        Err(outcome) => outcome,
        // GitLab answers the status it keeps, set or cleared, always with its availability:
        // any other 2xx body (a proxy's, a wrong shape) did not set it.
        Ok(read) if service == Service::Gitlab && read.availability.is_none() => {
            unreadable(service)
        }
        Ok(_) => Outcome::Done,
    }
}

/// Who the token belongs to, or why it cannot be used.
pub fn whoami_outcome(
    service: Service,
    answer: &Result<Answer, NetError>,
) -> Result<String, Outcome> {
    let read = reply(service, answer)?;
    let login = match service {
        Service::Github => read.data.and_then(|d| d.viewer).map(|v| v.login),
        Service::Gitlab => read.username,
        Service::Slack => read.user,
    };
    login
        .filter(|l| crate::text::has_visible_text(l) && l.chars().count() <= 100)
        .map(|l| shown(&l))
        .ok_or_else(|| unreadable(service))
}

/// The call that lists the token's scopes, where the token check's answer does not: GitLab's
/// `GET /personal_access_tokens/self`. GitHub and Slack name them in `X-OAuth-Scopes`.
pub fn scopes_call(service: Service, api: &str) -> Option<Call> {
    (service == Service::Gitlab).then(|| Call {
        method: "GET",
        url: service.url(api, "personal_access_tokens/self"),
        body: None,
    })
}

/// The scopes GitLab documents for a personal access token (Access token scopes), one string
/// (smaller in the worker than a list). A list with any other name (a fine-grained token's, a
/// newer scope) is not judged at Connect.
const GITLAB_SCOPES: &str = "api read_api read_user read_repository write_repository \
    read_registry write_registry read_virtual_registry write_virtual_registry sudo admin_mode \
    create_runner manage_runner ai_features k8s_proxy self_rotate read_service_ping";

/// Whether a token that passed the token check can set a status, as far as Connect can tell:
/// `Err` with the line for the token field when the service lists the token's scopes and the
/// one the mirror needs is not among them. `whoami` is the token check's answer (GitHub's and
/// Slack's `X-OAuth-Scopes`), `scopes` the answer to [`scopes_call`] (GitLab's `scopes`). With
/// nothing to go by (no header: a fine-grained or GitHub App token; GitLab's `self` missing on
/// an older instance, or failing), `Ok`: the first mirror says what is missing, as before.
pub fn scope_check(
    service: Service,
    whoami: &Result<Answer, NetError>,
    scopes: Option<&Result<Answer, NetError>>,
) -> Result<(), String> {
    let scope = service.scope();
    let documented = |s: &Vec<String>| {
        !s.is_empty() && s.iter().all(|x| GITLAB_SCOPES.split(' ').any(|k| k == x))
    };
    // Whether the listed scopes hold the one needed; `None`: no list to go by.
    let holds = match service {
        Service::Github | Service::Slack => whoami
            .as_ref()
            .ok()
            .and_then(|a| a.oauth_scopes.as_deref())
            .map(|h| h.split(',').any(|s| s.trim() == scope)),
        Service::Gitlab => scopes
            .and_then(|a| reply(service, a).ok())
            .and_then(|r| r.scopes)
            .filter(documented)
            .map(|s| s.iter().any(|x| x == scope)),
    };
    match holds {
        Some(false) => Err(format!(
            "This token lacks the {scope} scope: create one with it."
        )),
        _ => Ok(()),
    }
}

/// Tries a mirror gets before it stops retrying.
pub const MAX_ATTEMPTS: u32 = 8;

impl Account {
    /// A newly connected account, with nothing sent yet.
    pub fn new(service: Service, api: String, login: String, now: Timestamp) -> Account {
        Account {
            service,
            api,
            login,
            pending: None,
            attempts: 0,
            at: now,
            report: None,
            why: String::new(),
            live: String::new(),
        }
    }

    /// The user declared or cleared: this replaces any mirror still pending, and the report
    /// of the previous one.
    pub fn enqueue(&mut self, intent: Intent, now: Timestamp) {
        self.report = None;
        self.pending = Some(intent);
        self.attempts = 0;
        self.at = now;
    }

    /// The mirror to send, unless it waits for the user (a withdrawn permission).
    pub fn waiting(&self) -> Option<Job> {
        let job = self.pending.clone().map(|intent| Job {
            intent,
            attempts: self.attempts,
            next_attempt_at: self.at,
        });
        job.filter(|_| self.report != Some(Report::Stopped))
    }

    /// The mirror to send now, if one is due.
    pub fn due(&self, now: Timestamp) -> Option<Job> {
        self.waiting().filter(|j| j.next_attempt_at <= now)
    }

    /// Applies the outcome of sending `sent`. A newer declaration queued meanwhile stays
    /// queued; this outcome then only speaks for the popup if nothing newer is pending.
    pub fn record(&mut self, sent: &Job, outcome: Outcome, now: Timestamp) {
        let current = self.pending.as_ref() == Some(&sent.intent)
            && self.attempts == sent.attempts
            && self.at == sent.next_attempt_at;
        if !current {
            return;
        }
        self.pending = None;
        self.at = now;
        let (report, why) = match outcome {
            Outcome::Done => match sent.intent {
                Intent::Declare { .. } => (Report::Updated, String::new()),
                Intent::Clear => (Report::Cleared, String::new()),
            },
            Outcome::Transient { why, .. } if sent.attempts + 1 >= MAX_ATTEMPTS => (
                Report::Stopped,
                format!("{why}; gave up after {MAX_ATTEMPTS} tries"),
            ),
            Outcome::Transient {
                why,
                retry_after_ms,
            } => {
                let wait = retry_after_ms.unwrap_or(0).max(backoff_ms(sent.attempts));
                self.pending = Some(sent.intent.clone());
                self.attempts = sent.attempts + 1;
                self.at = now.plus_ms(wait);
                (Report::Retrying, why)
            }
            Outcome::Stop(why) => (Report::Stopped, why),
        };
        self.report = Some(report);
        self.why = why;
    }

    /// The permission for the API's host is gone: nothing is sent until it is back, and the
    /// pending mirror waits for that.
    pub fn withdrawn(&mut self, host: &str) {
        self.report = Some(Report::Stopped);
        self.why = format!("permission for {host} withdrawn");
    }

    /// A permission came back: a mirror that waited for it is due again.
    pub fn resume(&mut self) {
        if self.pending.is_some() && self.waiting().is_none() {
            self.report = None;
        }
    }
}

/// The popup's line for an account: "GitHub status: updated 17:42". `time` formats an
/// instant for the reader.
pub fn report_line(account: &Account, time: impl Fn(Timestamp) -> String) -> String {
    let label = account.service.label();
    let why = &account.why;
    let at = time(account.at);
    let what = match (account.report, &account.pending) {
        (Some(Report::Stopped), _) => format!("not updated: {why}"),
        (Some(Report::Retrying), Some(_)) => format!("{why}, retrying at {at}"),
        (_, Some(_)) => "updating…".to_string(),
        (Some(Report::Updated), None) => format!("updated {at}"),
        (Some(Report::Cleared), None) => format!("cleared {at}"),
        (Some(Report::Retrying) | None, None) => "nothing sent yet".to_string(),
    };
    match account.live.as_str() {
        "" => format!("{label} status: {what}"),
        live => format!("{label} status: {what}; item states not read: {live}"),
    }
}

/// What the options page previews for an account: "🎧 Deep work · busy · until 17:00", or
/// "no status" when the current state would clear it.
pub fn preview(
    service: Service,
    intent: &Intent,
    settings: &MirrorSettings,
    now: Timestamp,
    time: impl Fn(Timestamp) -> String,
) -> String {
    let Some(s) = shown_for(service, intent, settings, now) else {
        return "no status".to_string();
    };
    let emoji = match service {
        Service::Github => s.emoji,
        _ => format!(":{}:", s.emoji),
    };
    let mut line = format!("{emoji} {}", s.message);
    if s.busy {
        line.push_str(" · busy");
    }
    if let Some(t) = s.until {
        line.push_str(&format!(" · until {}", time(t)));
    }
    shown(&line)
}

#[cfg(test)]
mod tests;
