CREATE INDEX comments_post ON comments (post_id, published);
DROP INDEX comments_post_live;
CREATE INDEX posts_community_published ON posts (community_id, published);
DROP INDEX posts_community_top;
DROP INDEX posts_community_new;
