DROP TABLE mail_queue;
DROP TABLE account_tokens;
ALTER TABLE local_users DROP COLUMN email_confirmed_at;
