DROP TABLE library_resources;
DROP TABLE library_files;
