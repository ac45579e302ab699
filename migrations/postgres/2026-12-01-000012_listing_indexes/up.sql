-- Indexes for reading a community's posts a page at a time: each sort walks the community's
-- posts in its own order and stops after the page, instead of sorting all of them (`new`: id;
-- `top`: score, id; `active` has posts_community_activity). They replace
-- posts_community_published, which no query orders by. A listing counts each post's comments
-- from comments_post_live alone; it replaces comments_post (post_id, published), which no query
-- orders by either (a thread is read by post_id, in id order).
CREATE INDEX posts_community_new ON posts (community_id, id);
CREATE INDEX posts_community_top ON posts (community_id, score, id);
DROP INDEX posts_community_published;
CREATE INDEX comments_post_live ON comments (post_id, deleted);
DROP INDEX comments_post;
