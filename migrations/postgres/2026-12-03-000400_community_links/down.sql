DROP TABLE community_links;
DROP FUNCTION community_links_read_versions();
