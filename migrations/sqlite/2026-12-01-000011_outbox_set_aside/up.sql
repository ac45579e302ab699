-- A stored change the planner cannot read (a format this version does not know) or that failed
-- to plan again and again is set aside, not dropped: it stays here, out of the planner's way,
-- counted by `copse admin queue`, `GET /api/v1/admin/queue` and `/metrics`.
ALTER TABLE outbox_events ADD COLUMN set_aside_at TIMESTAMP;
ALTER TABLE outbox_events ADD COLUMN set_aside_reason TEXT;
