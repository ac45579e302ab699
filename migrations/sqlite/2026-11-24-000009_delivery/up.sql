-- Domain events waiting to become activities, stored in the transaction of the change that
-- caused them; the planner expands each, in order, into activities and deliveries.
CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY NOT NULL,
    event TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    planned_at TIMESTAMP
);
CREATE INDEX outbox_events_pending ON outbox_events (planned_at, id);

-- Activities we send: the signed body, who signs it, and what object it is about (its order
-- is kept per destination).
CREATE TABLE outbox_activities (
    id INTEGER PRIMARY KEY NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    signer TEXT NOT NULL,
    object_key TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One activity to one inbox: pending until delivered, refused (a final 4xx) or dead.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY NOT NULL,
    activity_id BIGINT NOT NULL REFERENCES outbox_activities (id) ON DELETE CASCADE,
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    object_key TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    claimed_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_order ON deliveries (host, object_key, id);

-- Instances that keep failing: skipped until `retry_at` or until they contact us.
CREATE TABLE instance_health (
    host TEXT PRIMARY KEY NOT NULL,
    failing_since TIMESTAMP,
    retry_at TIMESTAMP,
    last_success_at TIMESTAMP
);

-- Ids of remote posts and comments deleted before we ever saw them: a Create arriving after its
-- Delete must not bring the object back.
CREATE TABLE tombstones (
    ap_id TEXT PRIMARY KEY NOT NULL,
    deleted_at TIMESTAMP NOT NULL
);
