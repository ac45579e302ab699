-- Local names: users and communities share one namespace so acct:NAME@host is never ambiguous.
CREATE TABLE actor_names (
    name TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL
);

-- People, local and remote. Local ones have a private key and a local_users row.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    display_name TEXT,
    summary_md TEXT,
    summary_html TEXT,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    public_key TEXT NOT NULL,
    private_key TEXT,
    local BOOLEAN NOT NULL,
    published TIMESTAMP NOT NULL,
    updated TIMESTAMP,
    last_refreshed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX persons_local_name ON persons (name) WHERE local;

CREATE TABLE local_users (
    id INTEGER PRIMARY KEY NOT NULL,
    person_id BIGINT NOT NULL UNIQUE REFERENCES persons (id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL,
    approved BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (local_user_id);

CREATE TABLE communities (
    id INTEGER PRIMARY KEY NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    summary_md TEXT NOT NULL,
    summary_html TEXT NOT NULL,
    purpose TEXT NOT NULL,
    domain TEXT NOT NULL,
    practice TEXT NOT NULL,
    meeting_cadence TEXT NOT NULL,
    code_of_conduct_md TEXT NOT NULL,
    code_of_conduct_html TEXT NOT NULL,
    membership_policy TEXT NOT NULL,
    visibility TEXT NOT NULL,
    posting_restricted_to_mods BOOLEAN NOT NULL,
    questions TEXT NOT NULL,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    followers_url TEXT,
    public_key TEXT NOT NULL,
    private_key TEXT,
    local BOOLEAN NOT NULL,
    published TIMESTAMP NOT NULL,
    updated TIMESTAMP,
    last_refreshed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX communities_local_name ON communities (name) WHERE local;

-- Membership and roles. state: active | pending.
CREATE TABLE community_members (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    answers TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, person_id)
);
CREATE INDEX community_members_person ON community_members (person_id);

-- The instance actor (one row) that signs fetches.
CREATE TABLE instance_actor (
    id BIGINT PRIMARY KEY NOT NULL,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
