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
CREATE TRIGGER post_communities_read_versions_insert AFTER INSERT ON post_communities BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.post_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER post_communities_read_versions_update AFTER UPDATE ON post_communities BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (NEW.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, NEW.post_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER post_communities_read_versions_delete AFTER DELETE ON post_communities BEGIN
    INSERT INTO thread_versions (post_id, n) VALUES (OLD.post_id, 1)
        ON CONFLICT (post_id) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.community_id, OLD.post_id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
-- What a listing shows of a shared thread (title, score, comment count, activity) changes in
-- every community it is in.
CREATE TRIGGER posts_read_versions_shared AFTER UPDATE ON posts BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.id % 32, 1 FROM post_communities WHERE post_id = NEW.id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER comments_read_versions_shared AFTER INSERT ON comments BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM post_communities WHERE post_id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER comments_read_versions_shared_count AFTER UPDATE OF deleted, removed, post_id
    ON comments BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM post_communities WHERE post_id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
