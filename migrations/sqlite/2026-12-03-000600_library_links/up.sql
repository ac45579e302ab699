-- Citations between the library and the rest (issue 18): the local addresses a page's latest
-- revision links to (threads and events by their post, other pages), rewritten on every save
-- and restore, so that a thread, an event or a page can show "Linked from these pages".
-- `target_kind` is `post` (a thread or an event: /post/N, /events/N) or `page`.
CREATE TABLE library_links (
    page_id BIGINT NOT NULL REFERENCES library_pages (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (page_id, target_kind, target_id)
);
CREATE INDEX library_links_target ON library_links (target_kind, target_id);

-- The thread a page was made from ("This thread became the page …").
ALTER TABLE library_pages ADD COLUMN from_post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL;
CREATE INDEX library_pages_from_post ON library_pages (from_post_id);

-- A signed-out reader's cached thread page shows both: a change bumps the thread's version.
CREATE TRIGGER library_links_insert_version AFTER INSERT ON library_links
    WHEN NEW.target_kind = 'post' BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.target_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER library_links_delete_version AFTER DELETE ON library_links
    WHEN OLD.target_kind = 'post' BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (OLD.target_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER library_pages_insert_version AFTER INSERT ON library_pages
    WHEN NEW.from_post_id IS NOT NULL BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.from_post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER library_pages_title_version AFTER UPDATE OF title ON library_pages BEGIN
    INSERT INTO thread_versions (post_id, n)
        SELECT target_id, 1 FROM library_links
        WHERE page_id = NEW.id AND target_kind = 'post'
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO thread_versions (post_id, n)
        SELECT NEW.from_post_id, 1 WHERE NEW.from_post_id IS NOT NULL
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
END;
