-- A post's or comment's score follows its votes in the database: each vote written, changed or
-- removed adds its difference to the object's row (the post with that id, else the comment).
-- An increment is safe under read committed, where a sum recomputed by the writer was not: the
-- second of two votes at once waits for the first's row lock, then adds to the row the first
-- left. The vote and its score are one statement for the writer, and no lock is taken first.
-- A score imported with its thread (no votes stored) is kept and votes add to it.
CREATE FUNCTION add_to_score(object TEXT, delta BIGINT) RETURNS void AS $$
BEGIN
    IF delta = 0 THEN
        RETURN;
    END IF;
    UPDATE posts SET score = score + delta WHERE ap_id = object;
    IF NOT FOUND THEN
        UPDATE comments SET score = score + delta WHERE ap_id = object;
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION votes_score() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM add_to_score(NEW.object_ap_id, NEW.score);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM add_to_score(OLD.object_ap_id, -OLD.score);
    ELSIF NEW.object_ap_id = OLD.object_ap_id THEN
        PERFORM add_to_score(NEW.object_ap_id, NEW.score - OLD.score);
    ELSE
        PERFORM add_to_score(OLD.object_ap_id, -OLD.score);
        PERFORM add_to_score(NEW.object_ap_id, NEW.score);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER votes_score AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION votes_score();
