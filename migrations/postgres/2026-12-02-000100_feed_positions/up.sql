-- The feed's order without a lock held to commit (src/db/events.rs). An
-- event's id is handed out when it is inserted, not when its transaction
-- commits; its `position` is handed out once it is visible, by one
-- publisher at a time, so the feed never shows a later position before an
-- earlier one has committed. Events from before keep their ids.
ALTER TABLE events ADD COLUMN position BIGINT;
UPDATE events SET position = id;
CREATE UNIQUE INDEX events_position ON events (position);
DROP INDEX events_public;
CREATE INDEX events_public_position ON events (is_public, position);
CREATE INDEX events_unpublished ON events (id) WHERE position IS NULL;
