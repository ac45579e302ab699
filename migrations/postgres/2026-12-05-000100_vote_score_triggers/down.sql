DROP TRIGGER votes_score ON votes;
DROP FUNCTION votes_score();
DROP FUNCTION add_to_score(TEXT, BIGINT);
