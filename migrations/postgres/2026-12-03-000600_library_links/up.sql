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
CREATE FUNCTION library_links_read_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.target_kind = 'post' THEN
            PERFORM bump_thread_version(OLD.target_id);
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.target_kind = 'post' THEN
        PERFORM bump_thread_version(NEW.target_id);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER library_links_read_versions AFTER INSERT OR DELETE ON library_links
    FOR EACH ROW EXECUTE FUNCTION library_links_read_versions();

CREATE FUNCTION library_pages_read_versions() RETURNS trigger AS $$
BEGIN
    IF NEW.from_post_id IS NOT NULL THEN
        PERFORM bump_thread_version(NEW.from_post_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM bump_thread_version(target_id) FROM library_links
            WHERE page_id = NEW.id AND target_kind = 'post';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER library_pages_read_versions AFTER INSERT OR UPDATE OF title ON library_pages
    FOR EACH ROW EXECUTE FUNCTION library_pages_read_versions();
