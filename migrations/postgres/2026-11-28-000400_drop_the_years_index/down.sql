CREATE INDEX commitments_years ON commitments (start_year, end_year);
