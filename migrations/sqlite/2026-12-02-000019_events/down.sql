ALTER TABLE communities DROP COLUMN events_by;
DROP TABLE event_attendance;
DROP TABLE event_organizers;
DROP TABLE event_rsvps;
DROP TABLE events;
