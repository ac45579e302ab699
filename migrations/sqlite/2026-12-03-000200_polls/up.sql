-- Polls (issue 16): a thread whose first post is a question with options. The thread is the
-- `posts` row; a remote poll's counts are the origin's (`Update(Question)`), a local poll's are
-- kept here as votes are stored.
CREATE TABLE polls (
    post_id BIGINT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    multiple BOOLEAN NOT NULL DEFAULT FALSE,
    closes_at TIMESTAMP,
    -- People who voted (a remote poll: as its origin counts them).
    voters_count BIGINT NOT NULL DEFAULT 0,
    -- A local poll whose results changed (or that closed) since its last `Update(Question)`
    -- was queued: the polls job queues at most one every few minutes per poll.
    results_dirty BOOLEAN NOT NULL DEFAULT FALSE,
    results_sent_at TIMESTAMP,
    -- The closing was announced (a local poll with a closing time).
    closed_sent BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX polls_due ON polls (results_dirty, closed_sent);

CREATE TABLE poll_options (
    id INTEGER PRIMARY KEY NOT NULL,
    post_id BIGINT NOT NULL REFERENCES polls (post_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    votes BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX poll_options_position ON poll_options (post_id, position);

-- One row per person and option chosen (a local voter's, or a remote voter's `Create(Note)`).
CREATE TABLE poll_votes (
    id INTEGER PRIMARY KEY NOT NULL,
    post_id BIGINT NOT NULL REFERENCES polls (post_id) ON DELETE CASCADE,
    option_id BIGINT NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- The vote's `Note` id (ours for a local voter).
    ap_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX poll_votes_once ON poll_votes (option_id, person_id);
CREATE INDEX poll_votes_person ON poll_votes (post_id, person_id);
