-- Library pages in search (issue 18): a GIN-indexed tsvector per page (title weighing A, text
-- B, as threads), kept current by a trigger like the threads' (migration
-- 2026-12-02-002400_search); `copse admin reindex` rebuilds it (db::search).
CREATE TABLE page_search (
    page_id BIGINT PRIMARY KEY NOT NULL REFERENCES library_pages (id) ON DELETE CASCADE,
    document tsvector NOT NULL
);
CREATE INDEX page_search_document_index ON page_search USING GIN (document);
INSERT INTO page_search (page_id, document)
    SELECT id, post_search_document(title, body_md) FROM library_pages;

CREATE FUNCTION library_pages_search() RETURNS trigger AS $$
BEGIN
    INSERT INTO page_search (page_id, document)
        VALUES (NEW.id, post_search_document(NEW.title, NEW.body_md))
        ON CONFLICT (page_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER library_pages_search AFTER INSERT OR UPDATE OF title, body_md ON library_pages
    FOR EACH ROW EXECUTE FUNCTION library_pages_search();
