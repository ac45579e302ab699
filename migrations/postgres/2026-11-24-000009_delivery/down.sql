DROP TABLE tombstones;
DROP TABLE instance_health;
DROP TABLE deliveries;
DROP TABLE outbox_activities;
DROP TABLE outbox_events;
