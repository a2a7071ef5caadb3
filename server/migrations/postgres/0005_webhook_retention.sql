-- StandIn team server, PostgreSQL schema v5: finished webhook deliveries are deleted once older than
-- `serve --webhook-retention` (14 days by default), then the events no delivery refers to.
-- A finished delivery's `next_attempt_at` is when it finished (delivered or failed), so the
-- existing `webhook_deliveries_due` (status, next_attempt_at) index finds the old ones. These
-- two serve the event sweep: its "no delivery refers to it" check (and the foreign key's check
-- when an event is deleted), and its age.

CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_events_created ON webhook_events (created_at);
