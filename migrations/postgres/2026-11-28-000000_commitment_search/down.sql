ALTER TABLE commitments DROP COLUMN search_text;
