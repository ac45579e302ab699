DROP TRIGGER votes_score_insert;
DROP TRIGGER votes_score_change;
DROP TRIGGER votes_score_move;
DROP TRIGGER votes_score_delete;
