-- "Also in" on listings (issue 17): a listing shows, for each thread, the other communities it
-- is in, so putting a thread into a community (or taking it out) changes the listing of its
-- home and of every other community it is in, not only of the community shared into.
CREATE TRIGGER post_communities_also_in_insert AFTER INSERT ON post_communities BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM posts WHERE id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM post_communities
        WHERE post_id = NEW.post_id AND community_id <> NEW.community_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER post_communities_also_in_update AFTER UPDATE ON post_communities BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM posts WHERE id = NEW.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, NEW.post_id % 32, 1 FROM post_communities
        WHERE post_id = NEW.post_id AND community_id <> NEW.community_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER post_communities_also_in_delete AFTER DELETE ON post_communities BEGIN
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, OLD.post_id % 32, 1 FROM posts WHERE id = OLD.post_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n)
        SELECT community_id, OLD.post_id % 32, 1 FROM post_communities
        WHERE post_id = OLD.post_id AND community_id <> OLD.community_id
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
