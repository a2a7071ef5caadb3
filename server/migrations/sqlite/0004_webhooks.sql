-- StandIn team server, schema v4: team events posted to chat channels through an outbox.
-- A state write records its events (`webhook_events`) and one delivery per matching webhook
-- (`webhook_deliveries`) in its own transaction; the delivery task sends them afterwards, so
-- a slow endpoint never slows a write and a crash loses nothing (at least once).

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,              -- 'w_' + 16 hex
    team_id    TEXT NOT NULL REFERENCES teams (id),
    url        TEXT NOT NULL,
    kind       TEXT NOT NULL,                 -- slack | teams | mattermost | discord | json
    events     TEXT NOT NULL,                 -- comma-separated: offline,ooo,back,handoff
    secret     TEXT,                          -- HMAC key of the json format; never printed
    created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_team ON webhooks (team_id);

CREATE TABLE webhook_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id    TEXT NOT NULL REFERENCES teams (id),
    kind       TEXT NOT NULL,                 -- offline | ooo | back | handoff | test
    body       TEXT NOT NULL,                 -- JSON snapshot taken in the write
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,         -- 'd_' + 16 hex: stable across retries
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES webhook_events (id),
    coalesce_key    TEXT NOT NULL,            -- member/kind/subject: a newer event replaces
    status          TEXT NOT NULL,            -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,         -- first event time until the first attempt
    claimed_until   INTEGER,                  -- a sender's lease; expires if it dies
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_key ON webhook_deliveries (coalesce_key, status);
