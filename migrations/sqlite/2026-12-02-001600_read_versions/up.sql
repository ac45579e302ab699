-- Read versions: a counter per thread and per community, bumped by triggers on every write
-- that changes what an anonymous reader's thread page or community page shows (posts, comments
-- and the votes' scores on them, memberships, the community itself). A reader checks the one
-- counter in one indexed statement before serving a cached rendering
-- (docs/PERFORMANCE.md, "What is cached"). Triggers, not application code, so that every
-- writer (the server, `copse worker`, the CLI, another process) bumps them.
-- Rows are never deleted (a counter never goes back, even when its post is deleted).
-- A community's counter is split in 32 shards (by post, or by member), summed when read: every
-- vote and new post of a community bumps it, and one row would make those transactions wait
-- for each other on PostgreSQL. A sum of counters that only go up changes with every bump, and
-- one read after the version is never older than it, whatever order the bumps commit in.
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

-- A post: its thread and its community (title, score, pin, lock, removal, activity).
CREATE TRIGGER posts_read_versions_insert AFTER INSERT ON posts BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER posts_read_versions_update AFTER UPDATE ON posts BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER posts_read_versions_delete AFTER DELETE ON posts BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (OLD.id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.community_id, OLD.id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;

-- A comment: its thread; its community when the comment count may change (a listing counts
-- the comments not deleted). Score changes (votes) touch the thread only.
CREATE TRIGGER comments_read_versions_insert AFTER INSERT ON comments BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM posts WHERE id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER comments_read_versions_update AFTER UPDATE ON comments BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER comments_read_versions_count AFTER UPDATE OF deleted, removed, post_id
    ON comments BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM posts WHERE id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER comments_read_versions_delete AFTER DELETE ON comments BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (OLD.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, OLD.post_id % 32, 1 FROM posts WHERE id = OLD.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;

-- The community itself (title, charter, visibility) and its members (count, moderators).
CREATE TRIGGER communities_read_versions_update AFTER UPDATE ON communities BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER communities_read_versions_delete AFTER DELETE ON communities BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER members_read_versions_insert AFTER INSERT ON community_members BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.person_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER members_read_versions_update AFTER UPDATE ON community_members BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.person_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER members_read_versions_delete AFTER DELETE ON community_members BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.community_id, OLD.person_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
