DROP TRIGGER library_pages_search ON library_pages;
DROP FUNCTION library_pages_search();
DROP TABLE page_search;
