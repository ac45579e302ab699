-- A post that changes community (an imported archive takes over the threads this instance
-- stored from the old community) changes what both communities' pages show: the old one's
-- counter is bumped too (posts_read_versions_update bumps the new one's).
CREATE TRIGGER posts_read_versions_moved AFTER UPDATE OF community_id ON posts
WHEN OLD.community_id <> NEW.community_id
BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.community_id, OLD.id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
