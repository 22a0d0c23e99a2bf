-- The feed's order (src/db/events.rs). SQLite commits one writer at a
-- time, so an event's position is given as it is inserted: the last one
-- plus one. Events from before keep their ids.
ALTER TABLE events ADD COLUMN position BIGINT;
UPDATE events SET position = id;
CREATE UNIQUE INDEX events_position ON events (position);
DROP INDEX events_public;
CREATE INDEX events_public_position ON events (is_public, position);
