DROP TRIGGER communities_search ON communities;
DROP FUNCTION communities_search();
DROP TRIGGER posts_search ON posts;
DROP FUNCTION posts_search();
DROP TABLE community_search;
DROP TABLE post_search;
DROP FUNCTION community_search_document(communities);
DROP FUNCTION post_search_document(TEXT, TEXT);
