-- Mail (src/mail/, jobs/mail.rs): whether an account's address is confirmed, the one-time
-- tokens of account mail, and the queue of messages to send.

-- When the account's current address was confirmed (a confirmation link or a password reset
-- sent to it). Accounts made before copse sent mail are taken as confirmed.
ALTER TABLE local_users ADD COLUMN email_confirmed_at TIMESTAMP;
UPDATE local_users SET email_confirmed_at = created_at;

-- One-time links of account mail, stored as SHA-256 of the token. `purpose` is `reset` (a new
-- password) or `confirm` (the address in `email` is the account's: confirms it, or makes it the
-- account's address when it is a requested change). Deleted when used.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (local_user_id, purpose);

-- Messages to send, written in the transaction of the change that causes them and rendered
-- then (so a resend is the same message: its Message-ID is made from `id` and `created_at`).
-- `state`: pending until sent, dead after retrying too long. Claimed like deliveries.
CREATE TABLE mail_queue (
    id BIGSERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    unsubscribe_url TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    claimed_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX mail_queue_due ON mail_queue (state, next_attempt_at);
