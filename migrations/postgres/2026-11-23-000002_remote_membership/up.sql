-- The id of the Follow that asked for a membership: an Accept or Reject names it, and an
-- Undo(Follow) ends it.
ALTER TABLE community_members ADD COLUMN follow_id TEXT;
CREATE INDEX community_members_follow ON community_members (follow_id);

-- Ids of activities already received: a replay has no second effect.
CREATE TABLE received_activities (
    ap_id TEXT PRIMARY KEY NOT NULL,
    received_at TIMESTAMP NOT NULL
);
