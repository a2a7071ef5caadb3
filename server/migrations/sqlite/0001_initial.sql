-- StandIn team server, SQLite schema v1.
-- Times are UTC milliseconds (INTEGER). JSON columns hold the shared wire types of the
-- `standin` crate as the server serialised them. Every write in a team raises `teams.seq` and
-- stamps the row it wrote with the new value: the change feed is "seq > cursor".

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,           -- 't_' + 16 hex, shown to members
    name       TEXT NOT NULL UNIQUE,       -- what admins type in the CLI
    seq        INTEGER NOT NULL DEFAULT 0, -- the team's change counter (cursor, ETag)
    created_at INTEGER NOT NULL
);

CREATE TABLE members (
    id            TEXT PRIMARY KEY,        -- 'm_' + 16 hex: not guessable, not a count
    team_id       TEXT NOT NULL REFERENCES teams (id),
    display_name  TEXT NOT NULL,
    handles       TEXT NOT NULL,           -- JSON Handles
    timezone      TEXT NOT NULL,
    working_hours TEXT,                    -- JSON WorkingHours, NULL = not given
    is_admin      INTEGER NOT NULL,        -- 0/1; reserved for admin endpoints
    seq           INTEGER NOT NULL,        -- team seq of the last join/profile change/removal
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER                  -- kept as a row so change feeds can report removals
);
CREATE INDEX members_team_seq ON members (team_id, seq);

-- Bearer tokens are stored only as SHA-256 hashes: a leaked database grants no access.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES members (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX tokens_member ON tokens (member_id);

-- One-time invite codes, also stored only as hashes.
CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES teams (id),
    is_admin   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    used_by    TEXT REFERENCES members (id)
);

-- One row per member who ever declared. Clearing keeps the row with body NULL: the version
-- must keep rising (no ABA on If-Match) and change feeds must report the clear.
CREATE TABLE states (
    member_id   TEXT PRIMARY KEY REFERENCES members (id),
    team_id     TEXT NOT NULL REFERENCES teams (id),
    version     INTEGER NOT NULL,          -- +1 per write; If-Match compares against it
    body        TEXT,                      -- JSON Declaration, NULL = cleared
    declared_at INTEGER,                   -- server time of the write, NULL = cleared
    seq         INTEGER NOT NULL
);
CREATE INDEX states_team_seq ON states (team_id, seq);

-- Hand-off acknowledgements. `to_name` is the hand-off target as written when acknowledged:
-- re-declaring with the item handed to someone else drops the stale acknowledgement.
CREATE TABLE acks (
    declarer_id TEXT NOT NULL REFERENCES members (id),
    item_key    TEXT NOT NULL,             -- canonical ref or URL; '' = the cover hand-off
    by_id       TEXT NOT NULL REFERENCES members (id),
    team_id     TEXT NOT NULL REFERENCES teams (id),
    to_name     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (declarer_id, item_key, by_id)
);
CREATE INDEX acks_team ON acks (team_id);
