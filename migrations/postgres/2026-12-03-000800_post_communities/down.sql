DROP TRIGGER comments_shared_count_read_versions ON comments;
DROP TRIGGER comments_shared_read_versions ON comments;
DROP TRIGGER posts_shared_read_versions ON posts;
DROP FUNCTION shared_read_versions();
DROP TABLE post_communities;
DROP FUNCTION post_communities_read_versions();
