-- Notifications (actions/notifications.rs) and the mail a member has turned off
-- (actions/mail_preferences.rs, the one-click unsubscribe links of mail/unsubscribe.rs).

-- Something that happened to a local member: a reply, a mention, an application decided, a
-- moderator's action on their content, a new application or report (organizers), a meeting's
-- reminder, waitlist promotion or cancellation. Written in the transaction of the change that
-- causes it. What it is about is named by ids (a person, a community, a post, a comment); the
-- page reads them when shown, so a notification never holds a copy of content.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY NOT NULL,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
-- The page (unread first, newest first) and the header's unread count.
CREATE INDEX notifications_of_user ON notifications (local_user_id, read_at, id);

-- Mail a member does not want, one row per topic turned off (no row: the default, on).
-- Topics: `all` (every mail that is not about the account's security), `notifications` (every
-- notification mail), `notify:<category>` (one category). Digests add their own topics.
CREATE TABLE mail_opt_outs (
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (local_user_id, topic)
);
