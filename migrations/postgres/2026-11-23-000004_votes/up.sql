-- One vote per person per post or comment (by the object's id); +1 (Like) or -1 (Dislike).
CREATE TABLE votes (
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    object_ap_id TEXT NOT NULL,
    score INTEGER NOT NULL,
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, object_ap_id)
);
CREATE INDEX votes_object ON votes (object_ap_id);
CREATE INDEX votes_activity ON votes (activity_id);

-- Sums of the votes, kept with each write so that `top` sorts without aggregating.
ALTER TABLE posts ADD COLUMN score BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN score BIGINT NOT NULL DEFAULT 0;
