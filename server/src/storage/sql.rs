//! SQL both backends run unchanged (`$N` placeholders work in SQLite too). Backend-specific
//! statements live in their own module.

pub const INSERT_TEAM: &str =
    "INSERT INTO teams (id, name, seq, created_at) VALUES ($1, $2, 0, $3)";
pub const TEAM_BY_NAME: &str = "SELECT id, name FROM teams WHERE name = $1";
pub const TEAM_BY_ID: &str = "SELECT id, name FROM teams WHERE id = $1";
pub const ANY_TEAM: &str = "SELECT EXISTS (SELECT 1 FROM teams)";
/// Raises the team's change counter; also takes the team's write lock on PostgreSQL.
pub const BUMP_SEQ: &str = "UPDATE teams SET seq = seq + 1 WHERE id = $1 RETURNING seq";
pub const TEAM_SEQ: &str = "SELECT seq FROM teams WHERE id = $1";

pub const INSERT_INVITE: &str = "INSERT INTO invites (code_hash, team_id, is_admin, created_at, \
     expires_at, member_id) VALUES ($1, $2, $3, $4, $5, $6)";
/// Takes the invite if it is still usable; the `used_at IS NULL` guard makes it one-time even
/// under concurrent joins (the loser re-reads the row and finds it used).
pub const TAKE_INVITE: &str = "UPDATE invites SET used_at = $1 WHERE code_hash = $2 \
     AND used_at IS NULL AND expires_at > $1 RETURNING team_id, is_admin, member_id";
pub const INVITE_STATUS: &str = "SELECT used_at, expires_at FROM invites WHERE code_hash = $1";
pub const MARK_INVITE_USER: &str = "UPDATE invites SET used_by = $1 WHERE code_hash = $2";

pub const INSERT_MEMBER: &str = "INSERT INTO members (id, team_id, display_name, handles, \
     timezone, working_hours, is_admin, seq, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const MEMBER: &str = "SELECT id, team_id, display_name, handles, timezone, working_hours, \
     is_admin FROM members WHERE team_id = $1 AND id = $2 AND removed_at IS NULL";
pub const MEMBERS: &str = "SELECT id, team_id, display_name, handles, timezone, working_hours, \
     is_admin FROM members WHERE team_id = $1 AND removed_at IS NULL ORDER BY created_at, id";
pub const UPDATE_PROFILE: &str = "UPDATE members SET display_name = $1, handles = $2, \
     timezone = $3, working_hours = $4, seq = $5 \
     WHERE team_id = $6 AND id = $7 AND removed_at IS NULL";
pub const REMOVE_MEMBER: &str = "UPDATE members SET removed_at = $1, seq = $2 \
     WHERE team_id = $3 AND id = $4 AND removed_at IS NULL";
pub const CHANGED_MEMBERS: &str = "SELECT id, team_id, display_name, handles, timezone, \
     working_hours, is_admin, removed_at IS NOT NULL FROM members \
     WHERE team_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq";

pub const INSERT_TOKEN: &str =
    "INSERT INTO tokens (hash, member_id, created_at) VALUES ($1, $2, $3)";
pub const PRINCIPAL: &str = "SELECT m.id, m.team_id, m.is_admin FROM tokens t \
     JOIN members m ON m.id = t.member_id \
     WHERE t.hash = $1 AND t.revoked_at IS NULL AND m.removed_at IS NULL";
pub const REVOKE_TOKEN: &str =
    "UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL";
pub const REVOKE_MEMBER_TOKENS: &str =
    "UPDATE tokens SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL";

pub const STATE: &str = "SELECT member_id, version, body, declared_at, recipients FROM states \
     WHERE member_id = $1 AND team_id = $2";
pub const UPSERT_STATE: &str = "INSERT INTO states (member_id, team_id, version, body, \
     declared_at, seq, recipients) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (member_id) DO UPDATE SET version = excluded.version, body = excluded.body, \
     declared_at = excluded.declared_at, seq = excluded.seq, recipients = excluded.recipients";
/// Clears a removed member's state as a normal write would (version +1, tombstone).
pub const CLEAR_STATE: &str = "UPDATE states SET body = NULL, declared_at = NULL, \
     recipients = NULL, version = version + 1, seq = $1 \
     WHERE member_id = $2 AND body IS NOT NULL";
pub const TEAM_STATES: &str = "SELECT member_id, version, body, declared_at, recipients \
     FROM states WHERE team_id = $1 AND body IS NOT NULL ORDER BY member_id";
pub const CHANGED_STATES: &str = "SELECT member_id, version, body, declared_at, recipients \
     FROM states WHERE team_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq";
/// Declarations written before hand-offs were resolved (schema v1), for the start-up pass.
pub const UNRESOLVED_STATES: &str = "SELECT member_id, team_id, body FROM states \
     WHERE body IS NOT NULL AND recipients IS NULL";
/// Resolves such a declaration once (a concurrent replica may have done it already).
pub const RESOLVE_STATE: &str = "UPDATE states SET recipients = $1, seq = $2 \
     WHERE member_id = $3 AND body IS NOT NULL AND recipients IS NULL";
/// Adds the hand-offs a newly claimed name resolved to a current declaration.
pub const SET_RECIPIENTS: &str =
    "UPDATE states SET recipients = $1, seq = $2 WHERE member_id = $3 AND team_id = $4";
/// Stamps a declaration at an exact version with a new seq, so an acknowledgement shows up in
/// change feeds; no row means the declaration moved on.
pub const TOUCH_STATE: &str = "UPDATE states SET seq = $1 \
     WHERE member_id = $2 AND team_id = $3 AND version = $4 AND body IS NOT NULL";

pub const ACKS_OF: &str = "SELECT declarer_id, item_key, by_id, at FROM acks \
     WHERE declarer_id = $1 ORDER BY at, by_id";
pub const TEAM_ACKS: &str =
    "SELECT declarer_id, item_key, by_id, at FROM acks WHERE team_id = $1 ORDER BY at, by_id";
pub const ACKERS: &str = "SELECT item_key, by_id FROM acks WHERE declarer_id = $1";
pub const DELETE_ACK: &str =
    "DELETE FROM acks WHERE declarer_id = $1 AND item_key = $2 AND by_id = $3";
pub const DELETE_ACKS_OF: &str = "DELETE FROM acks WHERE declarer_id = $1";
/// A repeated acknowledgement keeps the first time.
pub const INSERT_ACK: &str = "INSERT INTO acks (declarer_id, item_key, by_id, team_id, at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (declarer_id, item_key, by_id) DO NOTHING";

/// The names other members of a team hold, as (namespace, key).
pub const OTHERS_CLAIMS: &str =
    "SELECT namespace, name_key FROM claims WHERE team_id = $1 AND member_id <> $2";
pub const INSERT_CLAIM: &str =
    "INSERT INTO claims (team_id, namespace, name_key, member_id) VALUES ($1, $2, $3, $4)";
pub const DELETE_CLAIMS: &str = "DELETE FROM claims WHERE member_id = $1";
pub const HAS_CLAIMS: &str = "SELECT member_id FROM claims WHERE member_id = $1 LIMIT 1";
/// Live members who hold no name yet: joined before claims existed (schema v1).
pub const UNCLAIMED_MEMBERS: &str = "SELECT id, team_id, display_name, handles, timezone, \
     working_hours, is_admin FROM members m WHERE removed_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.member_id = m.id) ORDER BY created_at, id";
pub const SET_HANDLES: &str = "UPDATE members SET handles = $1, seq = $2 WHERE id = $3";
