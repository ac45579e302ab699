-- Typed links between communities (issue 17 part 2; domain/links.rs, actions/links.rs).
-- A local community's links are set by its owners; a remote community's are the ones its Group
-- declares (`copse:communityLinks`), kept when their target is known here. `relation`: sibling,
-- parent, child, partner or superseded-by. One link per pair of communities. Whether a link is
-- confirmed is read, not stored: the target declares the inverse link back.
CREATE TABLE community_links (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, target_id)
);
CREATE INDEX community_links_target ON community_links (target_id);

-- A link shows on both communities' pages (as a link, and as the confirmation of the other's).
CREATE TRIGGER community_links_read_versions_insert AFTER INSERT ON community_links BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.target_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER community_links_read_versions_update AFTER UPDATE ON community_links BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.community_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (NEW.target_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER community_links_read_versions_delete AFTER DELETE ON community_links BEGIN
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.community_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
    INSERT INTO community_versions (community_id, shard, n) VALUES (OLD.target_id, 0, 1)
        ON CONFLICT (community_id, shard) DO UPDATE SET n = n + 1;
END;
