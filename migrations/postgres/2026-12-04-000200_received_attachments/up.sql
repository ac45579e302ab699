-- What received objects carry in `attachment` (issue 18): links, documents and images a post,
-- a reply or a library page of another server points to, bounded and checked on arrival
-- (`domain::attachments`). Exactly one owner: a post (`comment_id` null), a reply (`post_id`
-- its thread, so one statement reads a whole thread's), or a remote library page. Written in
-- the write that stores the object, replaced by its Update, removed when its author deletes it.
CREATE TABLE received_attachments (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    page_id BIGINT REFERENCES library_pages (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    CHECK ((post_id IS NULL) <> (page_id IS NULL)),
    CHECK (comment_id IS NULL OR post_id IS NOT NULL)
);
CREATE INDEX received_attachments_thread ON received_attachments (post_id, comment_id, position);
CREATE INDEX received_attachments_comment ON received_attachments (comment_id);
CREATE INDEX received_attachments_page ON received_attachments (page_id, position);
