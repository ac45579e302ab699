-- A person's handle and display name show beside their posts and comments on thread and
-- community pages: a change (a remote actor renamed, seen on a refresh or an Update) bumps the
-- shared counter kept under community_id 0 (no community has that id), which every thread and
-- community version includes (db::versions). Renames are rare; each makes cached pages anew.
CREATE FUNCTION persons_read_versions() RETURNS trigger AS $$
BEGIN
    PERFORM bump_community_version(0, NEW.id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER persons_read_versions AFTER UPDATE OF name, display_name ON persons
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION persons_read_versions();
