-- Full-text search over threads (title, body) and communities (name, title, charter): a
-- tsvector per row in its own table (so `posts` and `communities` keep their columns, and
-- `copse admin move-db` copies them unchanged: these rows are rebuilt by the triggers as the
-- rows arrive), GIN-indexed. Triggers keep them current from every writer: a post is indexed
-- while it is neither deleted nor removed, and an edit replaces its entry. Titles and names
-- weigh A, bodies and charters B. `copse admin reindex` rebuilds them (db::search).
CREATE FUNCTION post_search_document(title TEXT, body TEXT) RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, body), 'B')
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION community_search_document(c communities) RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english'::regconfig, c.name || ' ' || c.title), 'A')
        || setweight(to_tsvector('english'::regconfig, c.summary_md || ' ' || c.purpose || ' '
            || c.domain || ' ' || c.practice || ' ' || c.meeting_cadence || ' '
            || c.code_of_conduct_md), 'B')
$$ LANGUAGE sql STABLE;

CREATE TABLE post_search (
    post_id BIGINT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    document tsvector NOT NULL
);
CREATE INDEX post_search_document_index ON post_search USING GIN (document);
CREATE TABLE community_search (
    community_id BIGINT PRIMARY KEY NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    document tsvector NOT NULL
);
CREATE INDEX community_search_document_index ON community_search USING GIN (document);

INSERT INTO post_search (post_id, document)
    SELECT id, post_search_document(title, body_md) FROM posts WHERE NOT deleted AND NOT removed;
INSERT INTO community_search (community_id, document)
    SELECT id, community_search_document(communities) FROM communities;

CREATE FUNCTION posts_search() RETURNS trigger AS $$
BEGIN
    IF NEW.deleted OR NEW.removed THEN
        DELETE FROM post_search WHERE post_id = NEW.id;
    ELSE
        INSERT INTO post_search (post_id, document)
            VALUES (NEW.id, post_search_document(NEW.title, NEW.body_md))
            ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
-- Only the columns searched or deciding whether the post is shown: a vote or a new comment
-- (score, last_activity_at) does not touch the index.
CREATE TRIGGER posts_search AFTER INSERT OR UPDATE OF title, body_md, deleted, removed ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search();

CREATE FUNCTION communities_search() RETURNS trigger AS $$
BEGIN
    INSERT INTO community_search (community_id, document)
        VALUES (NEW.id, community_search_document(NEW))
        ON CONFLICT (community_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER communities_search AFTER INSERT OR UPDATE OF name, title, summary_md, purpose,
    domain, practice, meeting_cadence, code_of_conduct_md ON communities
    FOR EACH ROW EXECUTE FUNCTION communities_search();
