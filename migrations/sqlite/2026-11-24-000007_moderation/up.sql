-- The public record of moderators' actions in a community.
CREATE TABLE mod_log (
    id INTEGER PRIMARY KEY NOT NULL,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    moderator_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    person_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    object_ap_id TEXT,
    reason TEXT,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mod_log_community ON mod_log (community_id, id);

-- Reports (Flag) of posts and comments, for the community's moderators.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    object_ap_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    resolved_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_community ON reports (community_id, id);

-- People invited into an invite-only community; their Follow or join is accepted.
CREATE TABLE invitations (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    invited_by BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, person_id)
);

-- Hidden by a moderator, content kept so that the removal can be undone (a deletion by the
-- author clears the content; `deleted` is set in both cases).
ALTER TABLE posts ADD COLUMN removed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE comments ADD COLUMN removed BOOLEAN NOT NULL DEFAULT FALSE;
