-- Digests (issue 14 part 4; actions/digests.rs, jobs/digests.rs, docs/MAIL.md).

-- A member's digest preferences. No row: the defaults (weekly, at 08:00, in the instance's
-- `default_timezone`). `frequency`: off, daily, weekly or monthly; `hour`: 0 to 23, local;
-- `timezone`: an IANA zone, NULL for the instance's default.
CREATE TABLE digest_settings (
    local_user_id BIGINT PRIMARY KEY NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL,
    hour INTEGER NOT NULL,
    timezone TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- A member's frequency for one community, overriding their default (`off` included).
CREATE TABLE digest_overrides (
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL,
    PRIMARY KEY (local_user_id, community_id)
);

-- One row per member, frequency and period once that period's digest was composed: written in
-- the transaction that queues the mail (or records that there was nothing to send), so that a
-- period's digest is never queued twice, whatever the number of workers. `period` is the local
-- date the period starts (YYYY-MM-DD). `mailed`: whether a mail was queued (false: empty).
CREATE TABLE digest_runs (
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL,
    period TEXT NOT NULL,
    mailed BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (local_user_id, frequency, period)
);

-- A community's federated digest. For a local community (owner setting, off by default): its
-- weekly round-up published as an `Article` from the Group; `last_period`: the last week
-- published (YYYY-MM-DD, the Monday, UTC), set in the transaction that records the activity.
-- For a remote community: the latest digest `Article` it sent (`article_*`, sanitized HTML),
-- shown on its page here.
CREATE TABLE community_digests (
    community_id BIGINT PRIMARY KEY NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    federate BOOLEAN NOT NULL,
    last_period TEXT,
    article_id TEXT,
    article_name TEXT,
    article_html TEXT,
    article_published TIMESTAMP
);
