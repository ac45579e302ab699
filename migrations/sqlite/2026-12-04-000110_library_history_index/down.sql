DROP INDEX library_revisions_history;
