DROP TRIGGER posts_moved_read_versions ON posts;
DROP FUNCTION posts_moved_read_versions();
