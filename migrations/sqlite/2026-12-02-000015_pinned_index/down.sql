DROP INDEX posts_community_pinned;
