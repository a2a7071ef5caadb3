-- StandIn team server, PostgreSQL schema v2 (same as the SQLite one): names are claimed,
-- hand-offs resolved to member ids.
-- No two members of a team may go by one name: a reference to a person (a hand-off, a cover)
-- must never name two, and a page's handle must never show someone else's badge.

-- Who holds which name, one row per (namespace, key). A namespace is a tracker ('github',
-- 'gitlab', 'jira', 'linear'); it holds that tracker's handles and every display name, so the
-- key below makes handles unique per tracker, display names unique, and a display name never
-- another member's handle (or the reverse). The key is `standin::api::name_key`: trimmed, no
-- leading '@', runs of white space as one, lower case. A member's own names share rows.
-- Members who joined before v2 are claimed by the server at start (oldest member first): a
-- name already held is not claimed again, and such a handle is cleared from the later
-- member's profile (see docs/server.md).
CREATE TABLE claims (
    team_id   TEXT NOT NULL REFERENCES teams (id),
    namespace TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (team_id, namespace, name_key)
);
CREATE INDEX claims_member ON claims (member_id);

-- The members a declaration's hand-offs named when it was written: JSON [Recipient]
-- (`{item?, member}`; no item = the cover). Only that member may acknowledge, and a later
-- rename moves nothing. NULL for a cleared state, and for states written before v2 until the
-- server resolves them at start.
ALTER TABLE states ADD COLUMN recipients TEXT;

-- Acknowledgements now follow the recipient's id (`by_id`), not the target's text.
ALTER TABLE acks DROP COLUMN to_name;
