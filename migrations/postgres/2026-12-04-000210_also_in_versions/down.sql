DROP TRIGGER post_communities_also_in_read_versions ON post_communities;
DROP FUNCTION also_in_read_versions();
