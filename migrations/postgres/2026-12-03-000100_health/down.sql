DROP TABLE health_snapshots;
DROP TABLE membership_events;
