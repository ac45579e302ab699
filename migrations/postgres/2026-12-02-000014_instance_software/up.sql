-- What software each instance our communities deliver to runs, as its NodeInfo says
-- (lowercase `software.name`; empty when it could not be read), and when that was asked.
-- Decides whether a new post is also announced as the bare object (Mastodon's form), which
-- forum software such as Lemmy refuses.
CREATE TABLE instance_software (
    host TEXT PRIMARY KEY NOT NULL,
    software TEXT NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
