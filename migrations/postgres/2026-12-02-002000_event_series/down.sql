ALTER TABLE events DROP COLUMN agenda_html;
ALTER TABLE events DROP COLUMN agenda_md;
DROP INDEX events_series_start;
ALTER TABLE events DROP COLUMN detached;
ALTER TABLE events DROP COLUMN series_start;
ALTER TABLE events DROP COLUMN series_id;
DROP TABLE event_series;
