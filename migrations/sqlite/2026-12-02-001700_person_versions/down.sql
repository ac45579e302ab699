DROP TRIGGER persons_read_versions;
