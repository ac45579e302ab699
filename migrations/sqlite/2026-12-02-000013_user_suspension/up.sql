-- An administrator may suspend a local account: while `suspended_at` is set it cannot log in and
-- its sessions are gone (ended when it was suspended); what it wrote stays. Local only: nothing
-- of a suspension is sent to other instances.
ALTER TABLE local_users ADD COLUMN suspended_at TIMESTAMP;
ALTER TABLE local_users ADD COLUMN suspension_reason TEXT;
