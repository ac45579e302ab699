DROP TRIGGER library_pages_search_delete;
DROP TRIGGER library_pages_search_update;
DROP TRIGGER library_pages_search_insert;
DROP TABLE page_search;
