-- StandIn team server, schema v3: an invite may be for a member who already exists.
-- Redeeming it signs one more browser in as that member (a new laptop after a lost one was
-- revoked, a second browser) with their id, names and declaration, instead of creating a
-- member who would need the same names, which no two members of a team may hold (v2).
ALTER TABLE invites ADD COLUMN member_id TEXT REFERENCES members (id);
