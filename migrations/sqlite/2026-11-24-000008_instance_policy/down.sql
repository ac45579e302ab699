DROP INDEX posts_community_activity;
ALTER TABLE posts DROP COLUMN last_activity_at;
DROP TABLE instance_policy;
