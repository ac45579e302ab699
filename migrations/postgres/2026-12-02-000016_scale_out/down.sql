ALTER TABLE received_activities DROP COLUMN claimed_until;
DROP TABLE state_versions;
DROP TABLE login_throttles;
