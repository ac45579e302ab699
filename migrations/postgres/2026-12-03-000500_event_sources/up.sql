-- Calendars a community follows (actions/event_sources.rs): a Gancio instance's actor, a
-- Mobilizon account, any actor that publishes `Event`s without addressing a community. The
-- community's Group sends the `Follow`; once the actor accepts, its events land in the
-- community as event threads authored by it (docs/FEDERATION.md, "Calendars a community follows").
CREATE TABLE event_sources (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- The id of the Group's `Follow`, which the actor's `Accept` or `Reject` names.
    follow_id TEXT NOT NULL UNIQUE,
    -- pending, accepted or rejected
    state TEXT NOT NULL,
    added_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    UNIQUE (community_id, person_id)
);
-- Where an actor's events land: the communities that follow it.
CREATE INDEX event_sources_of_person ON event_sources (person_id, state);
