-- A person's handle and display name show beside their posts and comments on thread and
-- community pages: a change (a remote actor renamed, seen on a refresh or an Update) bumps the
-- shared counter kept under community_id 0 (no community has that id), which every thread and
-- community version includes (db::versions). Renames are rare; each makes cached pages anew.
CREATE TRIGGER persons_read_versions AFTER UPDATE OF name, display_name ON persons
    WHEN OLD.name IS NOT NEW.name OR OLD.display_name IS NOT NEW.display_name BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (0, NEW.id % 32, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
