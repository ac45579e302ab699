-- Meeting series (issue 13): a recurring meeting is an RRULE in its time zone; its occurrences
-- are materialized ahead as ordinary events (their own thread, RSVPs and id) by a job.
CREATE TABLE event_series (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    -- The RRULE (without DTSTART) and the local dates left out (EXDATE), one per line.
    rrule TEXT NOT NULL,
    exdates TEXT NOT NULL DEFAULT '',
    -- The first occurrence, local wall-clock time in `timezone` (DTSTART), and its length.
    first_local TIMESTAMP NOT NULL,
    duration_minutes BIGINT NOT NULL,
    timezone TEXT NOT NULL,
    place_name TEXT NOT NULL DEFAULT '',
    place_address TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    online_url_public BOOLEAN NOT NULL DEFAULT FALSE,
    capacity BIGINT,
    join_mode TEXT NOT NULL,
    external_url TEXT NOT NULL DEFAULT '',
    -- Set when the rule has no occurrence left (the job skips it).
    finished BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX event_series_community ON event_series (community_id);

-- An occurrence: its series and the start (UTC) the rule gave it; `detached` once an organizer
-- moved, edited or cancelled this one occurrence (series edits leave it alone).
ALTER TABLE events ADD COLUMN series_id BIGINT REFERENCES event_series (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN series_start TIMESTAMP;
ALTER TABLE events ADD COLUMN detached BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX events_series_start ON events (series_id, series_start);

-- The agenda, beside the description and the notes: organizers edit it before the meeting.
ALTER TABLE events ADD COLUMN agenda_md TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN agenda_html TEXT NOT NULL DEFAULT '';
