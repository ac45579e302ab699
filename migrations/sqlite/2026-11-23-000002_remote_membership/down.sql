DROP TABLE received_activities;
DROP INDEX community_members_follow;
ALTER TABLE community_members DROP COLUMN follow_id;
