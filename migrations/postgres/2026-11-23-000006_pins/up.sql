-- Pinned (featured) posts show first in the community's featured collection.
ALTER TABLE posts ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
