DROP TRIGGER communities_search_delete;
DROP TRIGGER communities_search_update;
DROP TRIGGER communities_search_insert;
DROP TRIGGER posts_search_delete;
DROP TRIGGER posts_search_update;
DROP TRIGGER posts_search_insert;
DROP TABLE community_search;
DROP TABLE post_search;
