-- Library pages in search (issue 18): an FTS5 table over each page's title and text as its
-- latest revision left them, rowid = the page's id, kept current by triggers like the threads'
-- (migration 2026-12-02-002400_search); `copse admin reindex` rebuilds it (db::search).
CREATE VIRTUAL TABLE page_search USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO page_search (rowid, title, body) SELECT id, title, body_md FROM library_pages;

CREATE TRIGGER library_pages_search_insert AFTER INSERT ON library_pages
BEGIN
    INSERT INTO page_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body_md);
END;
CREATE TRIGGER library_pages_search_update AFTER UPDATE OF title, body_md ON library_pages
BEGIN
    DELETE FROM page_search WHERE rowid = OLD.id;
    INSERT INTO page_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body_md);
END;
CREATE TRIGGER library_pages_search_delete AFTER DELETE ON library_pages
BEGIN
    DELETE FROM page_search WHERE rowid = OLD.id;
END;
