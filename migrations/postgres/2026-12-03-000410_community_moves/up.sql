-- Moving a community (issue 17 part 4; actions/moving.rs, federation/activities/moving.rs), the
-- account-migration convention: `also_known_as` is the JSON list of Group ids a community
-- says it also is (a new community lists the old one before the old one moves); `moved_to` is
-- the Group id a community moved to (set on the old one by its owner, or by a verified `Move`
-- for a remote one): its page points there and it takes no new posts.
ALTER TABLE communities ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';
ALTER TABLE communities ADD COLUMN moved_to TEXT;
