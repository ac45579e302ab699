ALTER TABLE comments DROP COLUMN removed;
ALTER TABLE posts DROP COLUMN removed;
DROP TABLE invitations;
DROP TABLE reports;
DROP TABLE mod_log;
