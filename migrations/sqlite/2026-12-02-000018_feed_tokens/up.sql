-- A member's private feed address (/feeds/{token}/front.xml): the newest threads of their
-- communities, private ones included. One per account; making a new one replaces (revokes) the
-- old. The token is kept as is, not hashed, so that the settings page can show the address
-- again (docs/SECURITY.md, "Feed addresses").
CREATE TABLE feed_tokens (
    local_user_id BIGINT PRIMARY KEY NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
