DROP TRIGGER library_pages_title_version;
DROP TRIGGER library_pages_insert_version;
DROP TRIGGER library_links_delete_version;
DROP TRIGGER library_links_insert_version;
DROP INDEX library_pages_from_post;
ALTER TABLE library_pages DROP COLUMN from_post_id;
DROP TABLE library_links;
