-- A post's or comment's score follows its votes in the database: each vote written, changed or
-- removed adds its difference to the object's row (the post with that id, else the comment),
-- so the vote and its score are one statement for the writer. A score imported with its thread
-- (no votes stored) is kept and votes add to it.
CREATE TRIGGER votes_score_insert AFTER INSERT ON votes BEGIN
    UPDATE posts SET score = score + NEW.score WHERE ap_id = NEW.object_ap_id;
    UPDATE comments SET score = score + NEW.score WHERE ap_id = NEW.object_ap_id
        AND NOT EXISTS (SELECT 1 FROM posts WHERE ap_id = NEW.object_ap_id);
END;
CREATE TRIGGER votes_score_change AFTER UPDATE ON votes
    WHEN NEW.object_ap_id = OLD.object_ap_id AND NEW.score <> OLD.score BEGIN
    UPDATE posts SET score = score + NEW.score - OLD.score WHERE ap_id = NEW.object_ap_id;
    UPDATE comments SET score = score + NEW.score - OLD.score WHERE ap_id = NEW.object_ap_id
        AND NOT EXISTS (SELECT 1 FROM posts WHERE ap_id = NEW.object_ap_id);
END;
CREATE TRIGGER votes_score_move AFTER UPDATE ON votes
    WHEN NEW.object_ap_id <> OLD.object_ap_id BEGIN
    UPDATE posts SET score = score - OLD.score WHERE ap_id = OLD.object_ap_id;
    UPDATE comments SET score = score - OLD.score WHERE ap_id = OLD.object_ap_id
        AND NOT EXISTS (SELECT 1 FROM posts WHERE ap_id = OLD.object_ap_id);
    UPDATE posts SET score = score + NEW.score WHERE ap_id = NEW.object_ap_id;
    UPDATE comments SET score = score + NEW.score WHERE ap_id = NEW.object_ap_id
        AND NOT EXISTS (SELECT 1 FROM posts WHERE ap_id = NEW.object_ap_id);
END;
CREATE TRIGGER votes_score_delete AFTER DELETE ON votes BEGIN
    UPDATE posts SET score = score - OLD.score WHERE ap_id = OLD.object_ap_id;
    UPDATE comments SET score = score - OLD.score WHERE ap_id = OLD.object_ap_id
        AND NOT EXISTS (SELECT 1 FROM posts WHERE ap_id = OLD.object_ap_id);
END;
