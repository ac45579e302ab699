ALTER TABLE local_users DROP COLUMN suspension_reason;
ALTER TABLE local_users DROP COLUMN suspended_at;
