-- Received activity ids are forgotten after a while (the delivery worker's housekeeping): an
-- index on when they arrived keeps that a range delete.
CREATE INDEX received_activities_received_at ON received_activities (received_at);
