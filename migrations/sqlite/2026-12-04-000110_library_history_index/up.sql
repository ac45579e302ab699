-- A page's history reads number, author, summary, restored_from and created_at of its revisions,
-- newest first (issue 18's benchmark: 1,000 revisions). This index holds them all, so the
-- history never reads the revisions' texts: on SQLite a column after `body_md` in the row is
-- reached only through the text's overflow pages.
CREATE INDEX library_revisions_history ON library_revisions
    (page_id, number, author_id, restored_from, created_at, summary);
