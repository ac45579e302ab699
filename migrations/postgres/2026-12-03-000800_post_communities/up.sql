-- Cross-posting as one object (issue 17 part 1): a thread keeps its home community
-- (`posts.community_id`, its object's `audience`); the other communities it is in are rows here.
-- `shared_by`: the person who put it there (its author posting into several communities, or a
-- moderator sharing it), NULL when a remote community's announce is all that says so.
-- `removed`: that community's moderators took it out of their community only.
-- `announce_id`: the ActivityPub id of the community's Announce of the object.
CREATE TABLE post_communities (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    shared_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    announce_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    removed_at TIMESTAMP,
    removed_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    PRIMARY KEY (post_id, community_id)
);
CREATE INDEX post_communities_community ON post_communities (community_id, post_id);

-- A share shows in its community's listing and as "also in" on the thread page.
CREATE FUNCTION post_communities_read_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bump_thread_version(OLD.post_id);
        PERFORM bump_community_version(OLD.community_id, OLD.post_id);
        RETURN OLD;
    END IF;
    PERFORM bump_thread_version(NEW.post_id);
    PERFORM bump_community_version(NEW.community_id, NEW.post_id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER post_communities_read_versions AFTER INSERT OR UPDATE OR DELETE ON post_communities
    FOR EACH ROW EXECUTE FUNCTION post_communities_read_versions();

-- What a listing shows of a shared thread (title, score, comment count, activity) changes in
-- every community it is in.
CREATE FUNCTION shared_read_versions() RETURNS trigger AS $$
DECLARE
    thread BIGINT;
    shared BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'posts' THEN
        thread := NEW.id;
    ELSE
        thread := NEW.post_id;
    END IF;
    FOR shared IN SELECT community_id FROM post_communities WHERE post_id = thread LOOP
        PERFORM bump_community_version(shared, thread);
    END LOOP;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER posts_shared_read_versions AFTER UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION shared_read_versions();
CREATE TRIGGER comments_shared_read_versions AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION shared_read_versions();
CREATE TRIGGER comments_shared_count_read_versions AFTER UPDATE OF deleted, removed, post_id
    ON comments FOR EACH ROW EXECUTE FUNCTION shared_read_versions();
