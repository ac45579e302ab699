DROP TABLE community_links;
