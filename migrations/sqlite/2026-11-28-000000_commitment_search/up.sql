-- Text search reads this column: title and description lower-cased by the
-- application (Unicode-aware on every backend; SQLite's lower() folds ASCII
-- only). Rows written before it are filled in at start-up.
ALTER TABLE commitments ADD COLUMN search_text TEXT;
