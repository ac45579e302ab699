-- Instances the administrators block or allow through the API. The settings' lists
-- (`blocked_instances`, `allowed_instances`) are added to these when the policy is built.
CREATE TABLE instance_policy (
    -- host or host:port, canonical (lowercase, IDNA, no trailing dot).
    host TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('block', 'allow')),
    reason TEXT,
    created_at TIMESTAMP NOT NULL
);

-- sort=active: when a thread last had a comment (its own publication before the first one),
-- kept up to date when a comment is stored so that listing needs no subquery.
ALTER TABLE posts ADD COLUMN last_activity_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE posts SET last_activity_at = MAX(
    published,
    COALESCE((SELECT MAX(c.published) FROM comments c WHERE c.post_id = posts.id), published)
);
CREATE INDEX posts_community_activity ON posts (community_id, last_activity_at, id);
