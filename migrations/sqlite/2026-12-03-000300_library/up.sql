-- The community's library (issue 18): pages of markdown in a tree of sections, each save a
-- numbered revision (who, when, why); who may edit is a community setting.
CREATE TABLE library_settings (
    community_id BIGINT PRIMARY KEY NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- `moderators`, `members` or `editors` (the people named in `library_editors`).
    edit_by TEXT NOT NULL DEFAULT 'members'
);

CREATE TABLE library_editors (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (community_id, person_id)
);

-- A page as its latest revision left it (the revisions hold every earlier state).
CREATE TABLE library_pages (
    id INTEGER PRIMARY KEY NOT NULL,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES library_pages (id) ON DELETE SET NULL,
    slug TEXT NOT NULL,
    ap_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- The latest revision's number: a save names the one it started from.
    revision BIGINT NOT NULL,
    last_editor_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX library_pages_slug ON library_pages (community_id, slug);
CREATE INDEX library_pages_parent ON library_pages (parent_id);

CREATE TABLE library_revisions (
    id INTEGER PRIMARY KEY NOT NULL,
    page_id BIGINT NOT NULL REFERENCES library_pages (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    -- Set when this revision restored an earlier one (its number).
    restored_from BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX library_revisions_number ON library_revisions (page_id, number);
