ALTER TABLE communities DROP COLUMN moved_to;
ALTER TABLE communities DROP COLUMN also_known_as;
