-- Meetings and events (issue 13). An event is a thread (a row of posts: its title, description,
-- comments, votes, moderation and federation are the thread's) with these details beside it.
CREATE TABLE events (
    post_id BIGINT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    timezone TEXT NOT NULL,
    place_name TEXT NOT NULL DEFAULT '',
    place_address TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    online_url TEXT NOT NULL DEFAULT '',
    online_url_public BOOLEAN NOT NULL DEFAULT FALSE,
    capacity BIGINT,
    join_mode TEXT NOT NULL,
    external_url TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    participant_count BIGINT NOT NULL DEFAULT 0,
    -- Notes or minutes written afterwards by the organizers (the agenda is the post's body).
    notes_md TEXT NOT NULL DEFAULT '',
    notes_html TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_starts ON events (starts_at);

-- Who answered: going, maybe, not_going, waitlisted (going when a place frees), pending (asked,
-- awaiting the organizers in approval mode), refused. `activity_id` is a remote person's Join.
CREATE TABLE event_rsvps (
    post_id BIGINT NOT NULL REFERENCES events (post_id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, person_id)
);
CREATE INDEX event_rsvps_state ON event_rsvps (post_id, state, updated_at);
CREATE INDEX event_rsvps_person ON event_rsvps (person_id);

-- Organizers besides the author (who always organizes): named members of the community.
CREATE TABLE event_organizers (
    post_id BIGINT NOT NULL REFERENCES events (post_id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, person_id)
);

-- Who came, as the organizers recorded it (for the health figures).
CREATE TABLE event_attendance (
    post_id BIGINT NOT NULL REFERENCES events (post_id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, person_id)
);

-- Who may schedule events in a community: 'members' or 'moderators'.
ALTER TABLE communities ADD COLUMN events_by TEXT NOT NULL DEFAULT 'members';
