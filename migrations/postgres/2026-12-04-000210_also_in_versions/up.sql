-- "Also in" on listings (issue 17): a listing shows, for each thread, the other communities it
-- is in, so putting a thread into a community (or taking it out) changes the listing of its
-- home and of every other community it is in, not only of the community shared into.
CREATE FUNCTION also_in_read_versions() RETURNS trigger AS $$
DECLARE
    thread BIGINT;
    other BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        thread := OLD.post_id;
    ELSE
        thread := NEW.post_id;
    END IF;
    FOR other IN SELECT community_id FROM posts WHERE id = thread
        UNION SELECT community_id FROM post_communities WHERE post_id = thread LOOP
        PERFORM bump_community_version(other, thread);
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER post_communities_also_in_read_versions
    AFTER INSERT OR UPDATE OR DELETE ON post_communities
    FOR EACH ROW EXECUTE FUNCTION also_in_read_versions();
