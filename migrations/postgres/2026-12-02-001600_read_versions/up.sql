-- Read versions: a counter per thread and per community, bumped by triggers on every write
-- that changes what an anonymous reader's thread page or community page shows (posts, comments
-- and the votes' scores on them, memberships, the community itself). A reader checks the one
-- counter in one indexed statement before serving a cached rendering
-- (docs/PERFORMANCE.md, "What is cached"). Triggers, not application code, so that every
-- writer (the server, `copse worker`, the CLI, another process) bumps them.
-- Rows are never deleted (a counter never goes back, even when its post is deleted).
-- A community's counter is split in 32 shards (by post, or by member), summed when read: every
-- vote and new post of a community bumps it, and one row would make those transactions wait
-- for each other. A sum of counters that only go up changes with every bump, and one read
-- after the version is never older than it, whatever order the bumps commit in.
CREATE TABLE thread_versions (
    post_id BIGINT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);
CREATE TABLE community_versions (
    community_id BIGINT NOT NULL,
    shard INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (community_id, shard)
);

CREATE FUNCTION bump_thread_version(thread BIGINT) RETURNS void AS $$
BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (thread, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = thread_versions.n + 1;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION bump_community_version(community BIGINT, part BIGINT) RETURNS void AS $$
BEGIN
    IF community IS NOT NULL THEN
        INSERT INTO community_versions (community_id, shard, n) VALUES (community, part % 32, 1)
            ON CONFLICT (community_id, shard) DO UPDATE SET n = community_versions.n + 1;
    END IF;
END $$ LANGUAGE plpgsql;

-- A post: its thread and its community (title, score, pin, lock, removal, activity).
CREATE FUNCTION posts_read_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bump_thread_version(OLD.id);
        PERFORM bump_community_version(OLD.community_id, OLD.id);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM bump_thread_version(NEW.id);
    END IF;
    PERFORM bump_community_version(NEW.community_id, NEW.id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER posts_read_versions AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_read_versions();

-- A comment: its thread; its community when the comment count may change (a listing counts
-- the comments not deleted). Score changes (votes) touch the thread only.
CREATE FUNCTION comments_read_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bump_thread_version(OLD.post_id);
        PERFORM bump_community_version((SELECT community_id FROM posts WHERE id = OLD.post_id), OLD.post_id);
        RETURN OLD;
    END IF;
    PERFORM bump_thread_version(NEW.post_id);
    IF TG_OP = 'INSERT' OR NEW.deleted IS DISTINCT FROM OLD.deleted
        OR NEW.removed IS DISTINCT FROM OLD.removed OR NEW.post_id <> OLD.post_id THEN
        PERFORM bump_community_version((SELECT community_id FROM posts WHERE id = NEW.post_id), NEW.post_id);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER comments_read_versions AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_read_versions();

-- The community itself (title, charter, visibility) and its members (count, moderators).
CREATE FUNCTION communities_read_versions() RETURNS trigger AS $$
BEGIN
    PERFORM bump_community_version(OLD.id, 0);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER communities_read_versions AFTER UPDATE OR DELETE ON communities
    FOR EACH ROW EXECUTE FUNCTION communities_read_versions();

CREATE FUNCTION members_read_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bump_community_version(OLD.community_id, OLD.person_id);
    ELSE
        PERFORM bump_community_version(NEW.community_id, NEW.person_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER members_read_versions AFTER INSERT OR UPDATE OR DELETE ON community_members
    FOR EACH ROW EXECUTE FUNCTION members_read_versions();
