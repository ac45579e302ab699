DROP TABLE library_revisions;
DROP TABLE library_pages;
DROP TABLE library_editors;
DROP TABLE library_settings;
