-- No query filters or sorts commitments by their years (the breakdown by
-- year reads the figures' cells), yet every new commitment wrote an entry
-- in this index: a b-tree and about three pages per commit of SQLite's
-- writer for nothing.
DROP INDEX IF EXISTS commitments_years;
