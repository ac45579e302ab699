-- A community page lists its pinned posts first. Without this index that query walked every
-- post of the community (posts_community_new) looking for pinned ones: 147 ms of CPU a page at
-- 100,000 posts (docs/PERFORMANCE.md). Not a partial index: the query binds `pinned` as a
-- parameter, which a partial index's WHERE cannot be proven to match.
CREATE INDEX posts_community_pinned ON posts (community_id, pinned, id);
