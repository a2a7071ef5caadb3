//! Storage: one trait, two implementations (SQLite for one process, PostgreSQL for several
//! replicas). Both are checked by the same contract suite (`tests/contract.rs`).
//!
//! Every write in a team raises the team's change counter (`teams.seq`) inside the write's
//! transaction and stamps the written row with it, so "what changed after cursor N" is a range
//! query and the counter doubles as the ETag of the team's states. Writes within a team are
//! serialised (SQLite: one writer; PostgreSQL: the team row's lock), so counters become visible
//! in order and a reader can never skip one.

mod common;
mod detached;
mod migrations;
mod outbox;
mod postgres;
mod sql;
mod sqlite;

pub use detached::Detached;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::hub::ChangeHub;
use async_trait::async_trait;
use standin::api::{item_key, name_key, Ack, ChangesResponse, MemberState, Recipient};
use standin::model::{Declaration, DeclaredState, Handles, Member, WorkingHours};
use standin::time::Timestamp;
use standin::validate::FieldError;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored JSON is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("a team named {0:?} already exists")]
    TeamExists(String),
    #[error("unsupported database URL (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error("a write task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    pub member: Member,
    pub team_id: String,
    pub is_admin: bool,
}

/// Who a bearer token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub member_id: String,
    pub team_id: String,
    pub is_admin: bool,
}

/// A member's profile as written at join or by `PATCH /v1/me`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub display_name: String,
    pub handles: Handles,
    pub timezone: String,
    pub working_hours: Option<WorkingHours>,
}

/// Whom an invite admits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invitee {
    Member,
    Admin,
    /// Signs a browser in as this existing member (their id, names and declaration).
    Existing(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum JoinOutcome {
    Joined {
        team: Team,
        member: Box<MemberRecord>,
    },
    UnknownInvite,
    ExpiredInvite,
    UsedInvite,
    /// The invite was for a member who has since been removed from the team.
    MemberRemoved,
    /// Another member holds a name of the profile; nothing was written (the invite stays).
    NameTaken(Vec<FieldError>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProfileOutcome {
    Updated(Box<MemberRecord>),
    /// Another member holds a name of the profile; nothing was written.
    NameTaken(Vec<FieldError>),
    NoSuchMember,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WriteOutcome {
    Written(MemberState),
    /// `If-Match` named another version: nothing was written; here is the current state.
    Conflict(MemberState),
    NoSuchMember,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AckOutcome {
    Recorded(Box<MemberState>),
    /// The declaration changed between the check and the write; the caller re-checks.
    StateChanged,
}

/// Everything the change feed returns after a cursor (see [`ChangesResponse`]).
pub type Changes = ChangesResponse;

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Which backend, for logs and test names.
    fn kind(&self) -> &'static str;

    async fn create_team(&self, name: &str, now: Timestamp) -> Result<Team>;
    async fn team_by_name(&self, name: &str) -> Result<Option<Team>>;
    async fn team(&self, team_id: &str) -> Result<Option<Team>>;
    /// Whether any team exists (`serve` warns at start when none does).
    async fn has_teams(&self) -> Result<bool>;

    /// Stores an invite by the hash of its code.
    async fn create_invite(
        &self,
        team_id: &str,
        code_hash: &str,
        invitee: Invitee,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<()>;
    /// Uses an invite (once), creates the member (or, for an existing member's invite, updates
    /// their profile) and a token, atomically, unless another member of the team holds one of
    /// the profile's names.
    async fn redeem_invite(
        &self,
        code_hash: &str,
        profile: &Profile,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<JoinOutcome>;

    /// The live member behind a token hash; `None` for unknown, revoked or removed.
    async fn principal(&self, token_hash: &str) -> Result<Option<Principal>>;
    async fn revoke_token(&self, token_hash: &str, now: Timestamp) -> Result<bool>;
    /// Revokes every token of a member; returns how many were live.
    async fn revoke_member_tokens(&self, member_id: &str, now: Timestamp) -> Result<u64>;

    async fn member(&self, team_id: &str, member_id: &str) -> Result<Option<MemberRecord>>;
    /// The team's current members, oldest first.
    async fn members(&self, team_id: &str) -> Result<Vec<MemberRecord>>;
    /// Replaces a member's profile, unless another member holds one of its names.
    async fn update_profile(
        &self,
        team_id: &str,
        member_id: &str,
        profile: &Profile,
    ) -> Result<ProfileOutcome>;
    /// Removes a member: their tokens stop working and their state is cleared.
    async fn remove_member(&self, team_id: &str, member_id: &str, now: Timestamp) -> Result<bool>;

    /// A member's state (version 0 and no state if they never declared).
    async fn state(&self, team_id: &str, member_id: &str) -> Result<MemberState>;
    /// Declares (`Some`) or clears (`None`) if the current version is `expected`. A
    /// declaration's hand-offs are resolved against the team's members as it is written.
    async fn write_state(
        &self,
        team_id: &str,
        member_id: &str,
        expected: u64,
        declaration: Option<&Declaration>,
        now: Timestamp,
    ) -> Result<WriteOutcome>;
    /// Records `by`'s acknowledgement of a hand-off in `declarer`'s state at `version`.
    async fn ack(
        &self,
        team_id: &str,
        declarer_id: &str,
        version: u64,
        item: Option<&str>,
        by_id: &str,
        now: Timestamp,
    ) -> Result<AckOutcome>;

    /// The team's change counter.
    async fn team_cursor(&self, team_id: &str) -> Result<u64>;
    /// Every current declaration, and the cursor they are at least as new as.
    async fn team_states(&self, team_id: &str) -> Result<(u64, Vec<MemberState>)>;
    /// What changed after `after`, up to the returned cursor.
    async fn changes(&self, team_id: &str, after: u64) -> Result<Changes>;

    /// The webhook outbox in the same database.
    fn outbox(&self) -> &dyn crate::webhook::Outbox;

    /// The hub this store announces committed writes to.
    fn hub(&self) -> &Arc<ChangeHub>;
}

/// Opens the store a URL names, creating (SQLite) and migrating the database.
pub async fn open(url: &str, hub: Arc<ChangeHub>) -> Result<Arc<dyn Storage>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url, hub).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url, hub).await?))
    } else {
        Err(StorageError::UnsupportedUrl)
    }
}

/// Whether a connection may go back to the pool. A request cancelled at the wrong moment (the
/// client hung up) can leave a transaction open on its connection; sqlx would then nest the
/// next user's transaction inside it as a savepoint, or refuse `begin_with`. Such a connection
/// is closed instead (rare: writes run detached, so only cancelled reads get here).
pub(crate) async fn release_clean<C: sqlx::Connection>(conn: &mut C) -> Result<bool, sqlx::Error> {
    Ok(!conn.is_in_transaction())
}

/// A fresh identifier with a readable prefix (`t_…` teams, `m_…` members); 64 random bits.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", crate::token::random_hex(8))
}

/// The trackers whose handles a team keeps unique; each is also a namespace of `claims`.
const SERVICES: [&str; 4] = ["github", "gitlab", "jira", "linear"];

fn handle<'h>(handles: &'h Handles, service: &str) -> Option<&'h str> {
    match service {
        "github" => handles.github.as_deref(),
        "gitlab" => handles.gitlab.as_deref(),
        "jira" => handles.jira.as_deref(),
        _ => handles.linear.as_deref(),
    }
}

/// The `claims` rows a profile holds, as (namespace, key): in each tracker's namespace its
/// handle there and the display name (once when they are one name). See the v2 migration.
pub(crate) fn claims(profile: &Profile) -> Vec<(&'static str, String)> {
    let name = name_key(&profile.display_name);
    let mut rows = Vec::new();
    for service in SERVICES {
        let own = handle(&profile.handles, service).map(name_key);
        for key in [Some(name.clone()), own].into_iter().flatten() {
            if !key.is_empty() && !rows.contains(&(service, key.clone())) {
                rows.push((service, key));
            }
        }
    }
    rows
}

/// The fields of a profile naming someone else, given the (namespace, key) claims of the
/// team's other members.
pub(crate) fn taken_fields(profile: &Profile, others: &[(String, String)]) -> Vec<FieldError> {
    let held = |service: &str, key: &str| others.iter().any(|(n, k)| n == service && k == key);
    let name = name_key(&profile.display_name);
    let name_taken = SERVICES.iter().any(|s| held(s, &name));
    let handles = SERVICES
        .iter()
        .filter(|s| handle(&profile.handles, s).is_some_and(|h| held(s, &name_key(h))));
    name_taken
        .then_some(("display_name".to_owned(), "display name"))
        .into_iter()
        .chain(handles.map(|s| (format!("handles.{s}"), "handle")))
        .map(|(field, what)| FieldError {
            field,
            message: format!("Another member of your team already goes by this {what}."),
        })
        .collect()
}

/// The profile with every handle that names someone else removed: how a member who joined
/// before names were claimed keeps what only they hold.
pub(crate) fn without_taken_handles(profile: &Profile, taken: &[FieldError]) -> Profile {
    let mut handles = profile.handles.clone();
    for field in taken
        .iter()
        .filter_map(|t| t.field.strip_prefix("handles."))
    {
        match field {
            "github" => handles.github = None,
            "gitlab" => handles.gitlab = None,
            "jira" => handles.jira = None,
            _ => handles.linear = None,
        }
    }
    Profile {
        handles,
        ..profile.clone()
    }
}

/// A declaration's hand-offs resolved against the team's `members`.
pub(crate) fn resolve_handoffs(
    declaration: &Declaration,
    members: &[MemberRecord],
) -> Vec<Recipient> {
    let roster: Vec<&Member> = members.iter().map(|r| &r.member).collect();
    standin::api::recipients(declaration, &roster)
}

/// The person an item (or, for `None`, the cover) is handed to in a declaration.
pub fn handoff_target<'d>(declaration: &'d Declaration, item: Option<&str>) -> Option<&'d str> {
    match item {
        None => declaration.cover.as_deref(),
        Some(key) => declaration
            .items
            .iter()
            .find(|i| item_key(i) == key)?
            .handoff_to
            .as_deref(),
    }
}

/// An invite's `used_at` and `expires_at`.
pub(crate) type InviteStatus = (Option<i64>, i64);

/// Why an invite cannot be redeemed at `now`, or `None` when it can.
pub(crate) fn invite_refusal(status: Option<InviteStatus>, now: Timestamp) -> Option<JoinOutcome> {
    match status {
        None => Some(JoinOutcome::UnknownInvite),
        Some((Some(_), _)) => Some(JoinOutcome::UsedInvite),
        Some((None, expires_at)) if expires_at <= now.millis() => Some(JoinOutcome::ExpiredInvite),
        Some((None, _)) => None,
    }
}

/// A `states` row: member, version, declaration JSON (NULL when cleared), declared at,
/// recipients JSON.
pub(crate) type StateRow = (String, i64, Option<String>, Option<i64>, Option<String>);
/// An `acks` row: declarer, item key ("" = cover), by, at.
pub(crate) type AckRow = (String, String, String, i64);
/// A `members` row: id, team, display name, handles JSON, zone, working hours JSON, admin.
pub(crate) type MemberRow = (String, String, String, String, String, Option<String>, bool);

pub(crate) fn member_from_row(row: MemberRow) -> Result<MemberRecord> {
    let (id, team_id, display_name, handles, timezone, working_hours, is_admin) = row;
    Ok(MemberRecord {
        member: Member {
            id,
            display_name,
            handles: serde_json::from_str(&handles)?,
            timezone,
            working_hours: working_hours
                .map(|w| serde_json::from_str(&w))
                .transpose()?,
        },
        team_id,
        is_admin,
    })
}

pub(crate) fn profile_json(profile: &Profile) -> Result<(String, Option<String>)> {
    Ok((
        serde_json::to_string(&profile.handles)?,
        profile
            .working_hours
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?,
    ))
}

pub(crate) fn ack_from_row(row: &AckRow) -> Ack {
    Ack {
        item: (!row.1.is_empty()).then(|| row.1.clone()),
        by: row.2.clone(),
        at: Timestamp(row.3),
    }
}

/// Builds the wire states from rows, attaching each declarer's acknowledgements.
pub(crate) fn states_from_rows(rows: Vec<StateRow>, acks: &[AckRow]) -> Result<Vec<MemberState>> {
    let mut by_declarer: HashMap<&str, Vec<Ack>> = HashMap::new();
    for row in acks {
        by_declarer
            .entry(row.0.as_str())
            .or_default()
            .push(ack_from_row(row));
    }
    rows.into_iter()
        .map(|row| {
            let acks = by_declarer.remove(row.0.as_str()).unwrap_or_default();
            state_from_row(row, acks)
        })
        .collect()
}

pub(crate) fn state_from_row(row: StateRow, acks: Vec<Ack>) -> Result<MemberState> {
    let (member_id, version, body, declared_at, recipients) = row;
    let version = to_u64(version);
    let recipients: Vec<Recipient> = match (&body, recipients) {
        (Some(_), Some(json)) => serde_json::from_str(&json)?,
        _ => Vec::new(),
    };
    let state = match (body, declared_at) {
        (Some(body), Some(at)) => Some(DeclaredState {
            declaration: serde_json::from_str(&body)?,
            declared_at: Timestamp(at),
            version,
        }),
        _ => None,
    };
    Ok(MemberState {
        member_id,
        version,
        acks: if state.is_some() { acks } else { Vec::new() },
        recipients,
        state,
    })
}

pub(crate) fn never_declared(member_id: &str) -> MemberState {
    MemberState {
        member_id: member_id.to_owned(),
        version: 0,
        state: None,
        acks: Vec::new(),
        recipients: Vec::new(),
    }
}

/// Counters are stored as SQL BIGINT and never negative.
pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Cursors and versions beyond i64 cannot exist in the database; saturating keeps them "ahead".
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Splits changed member rows into present members and removed ids.
pub(crate) fn split_members(rows: Vec<(MemberRow, bool)>) -> Result<(Vec<Member>, Vec<String>)> {
    let mut members = Vec::new();
    let mut removed = Vec::new();
    for (row, is_removed) in rows {
        if is_removed {
            removed.push(row.0);
        } else {
            members.push(member_from_row(row)?.member);
        }
    }
    Ok((members, removed))
}
