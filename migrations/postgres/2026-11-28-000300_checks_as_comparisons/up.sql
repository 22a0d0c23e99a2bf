-- SQLite only: PostgreSQL checks a list of values without building anything.
SELECT 1;
