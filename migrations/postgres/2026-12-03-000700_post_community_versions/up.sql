-- A post that changes community (an imported archive takes over the threads this instance
-- stored from the old community) changes what both communities' pages show: the old one's
-- counter is bumped too (posts_read_versions bumps the new one's).
CREATE FUNCTION posts_moved_read_versions() RETURNS trigger AS $$
BEGIN
    PERFORM bump_community_version(OLD.community_id, OLD.id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER posts_moved_read_versions AFTER UPDATE OF community_id ON posts
    FOR EACH ROW WHEN (OLD.community_id IS DISTINCT FROM NEW.community_id)
    EXECUTE FUNCTION posts_moved_read_versions();
