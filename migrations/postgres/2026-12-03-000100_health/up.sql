-- Health figures (db/health.rs, jobs/health.rs): the membership history the figures count, and
-- the daily snapshots the health pages render.

-- Every time a membership became active (`joined`) or an active one ended (`left`: leaving,
-- refused after the fact, removed by a ban), written by db::members in the transaction of the
-- change. community_members keeps only who is a member now; this keeps when people came and went.
CREATE TABLE membership_events (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX membership_events_of_community ON membership_events (community_id, at);

-- The history before this migration: every active membership joined when its row was made.
INSERT INTO membership_events (community_id, person_id, kind, at)
SELECT community_id, person_id, 'joined', created_at FROM community_members WHERE state = 'active';

-- One snapshot of the figures per community (community_id) or of the whole instance (NULL) per
-- UTC day, as JSON (domain::health::Figures). The unique index makes a second run of the same
-- day, by this process or another, store nothing.
CREATE TABLE health_snapshots (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    figures TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX health_snapshots_once_a_day ON health_snapshots (COALESCE(community_id, 0), day);
