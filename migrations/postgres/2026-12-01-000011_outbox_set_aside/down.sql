ALTER TABLE outbox_events DROP COLUMN set_aside_reason;
ALTER TABLE outbox_events DROP COLUMN set_aside_at;
