DROP INDEX events_public_position;
CREATE INDEX events_public ON events (is_public, id);
DROP INDEX events_position;
ALTER TABLE events DROP COLUMN position;
