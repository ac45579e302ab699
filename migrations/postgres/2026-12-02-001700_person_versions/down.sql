DROP TRIGGER persons_read_versions ON persons;
DROP FUNCTION persons_read_versions();
