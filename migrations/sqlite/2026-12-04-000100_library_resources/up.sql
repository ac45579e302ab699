-- The library's resources (issue 18): links and files a community keeps, each with a short
-- description, attached to one of its pages or to none (the community's resource list shows
-- all). A file's bytes are on disk under `files_dir`, named by their SHA-256, so two uploads
-- of the same bytes share one file; the row holds what is known of it. `kind` is `link` (url
-- set) or `file` (sha256, file_name, media_type and size_bytes set).
CREATE TABLE library_resources (
    id INTEGER PRIMARY KEY NOT NULL,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    page_id BIGINT REFERENCES library_pages (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT,
    sha256 TEXT,
    file_name TEXT,
    media_type TEXT,
    size_bytes BIGINT,
    added_by BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX library_resources_community ON library_resources (community_id, id);
CREATE INDEX library_resources_page ON library_resources (page_id);
CREATE INDEX library_resources_sha256 ON library_resources (sha256);

-- One row per file kept on disk, by SHA-256: the lock that keeps an upload and the removal of
-- the same bytes apart (both take this row first), and what the sweep of unused files walks.
CREATE TABLE library_files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
