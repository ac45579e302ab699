DROP TRIGGER library_pages_read_versions ON library_pages;
DROP FUNCTION library_pages_read_versions();
DROP TRIGGER library_links_read_versions ON library_links;
DROP FUNCTION library_links_read_versions();
DROP INDEX library_pages_from_post;
ALTER TABLE library_pages DROP COLUMN from_post_id;
DROP TABLE library_links;
