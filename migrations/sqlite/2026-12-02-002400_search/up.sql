-- Full-text search over threads (title, body) and communities (name, title, charter): FTS5
-- tables holding only the index (contentless; rows are deleted by rowid), rowid = the post's or
-- community's id. Triggers keep them current from every writer: a post is indexed while it is
-- neither deleted nor removed, and an edit replaces its entry. `copse admin reindex` rebuilds
-- them (db::search). Porter stemming over unicode61, as PostgreSQL's `english` configuration.
CREATE VIRTUAL TABLE post_search USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE community_search USING fts5(
    name, title, charter,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO post_search (rowid, title, body)
    SELECT id, title, body_md FROM posts WHERE NOT deleted AND NOT removed;
INSERT INTO community_search (rowid, name, title, charter)
    SELECT id, name, title, summary_md || ' ' || purpose || ' ' || domain || ' ' || practice
        || ' ' || meeting_cadence || ' ' || code_of_conduct_md
    FROM communities;

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts
WHEN NOT NEW.deleted AND NOT NEW.removed
BEGIN
    INSERT INTO post_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body_md);
END;
-- Only the columns searched or deciding whether the post is shown: a vote or a new comment
-- (score, last_activity_at) does not touch the index.
CREATE TRIGGER posts_search_update AFTER UPDATE OF title, body_md, deleted, removed ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = OLD.id;
    INSERT INTO post_search (rowid, title, body)
        SELECT NEW.id, NEW.title, NEW.body_md WHERE NOT NEW.deleted AND NOT NEW.removed;
END;
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER communities_search_insert AFTER INSERT ON communities
BEGIN
    INSERT INTO community_search (rowid, name, title, charter)
        VALUES (NEW.id, NEW.name, NEW.title, NEW.summary_md || ' ' || NEW.purpose || ' '
            || NEW.domain || ' ' || NEW.practice || ' ' || NEW.meeting_cadence || ' '
            || NEW.code_of_conduct_md);
END;
CREATE TRIGGER communities_search_update AFTER UPDATE OF name, title, summary_md, purpose,
    domain, practice, meeting_cadence, code_of_conduct_md ON communities
BEGIN
    DELETE FROM community_search WHERE rowid = OLD.id;
    INSERT INTO community_search (rowid, name, title, charter)
        VALUES (NEW.id, NEW.name, NEW.title, NEW.summary_md || ' ' || NEW.purpose || ' '
            || NEW.domain || ' ' || NEW.practice || ' ' || NEW.meeting_cadence || ' '
            || NEW.code_of_conduct_md);
END;
CREATE TRIGGER communities_search_delete AFTER DELETE ON communities
BEGIN
    DELETE FROM community_search WHERE rowid = OLD.id;
END;
