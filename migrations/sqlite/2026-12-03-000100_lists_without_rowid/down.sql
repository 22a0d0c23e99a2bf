-- Back to rowid tables, as before.
CREATE TABLE commitment_action_areas_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    coalition_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (commitment_id, number),
    FOREIGN KEY (coalition_slug, number) REFERENCES action_areas (coalition_slug, number)
);
INSERT INTO commitment_action_areas_rebuilt (commitment_id, coalition_slug, number)
SELECT commitment_id, coalition_slug, number FROM commitment_action_areas;
DROP TABLE commitment_action_areas;
ALTER TABLE commitment_action_areas_rebuilt RENAME TO commitment_action_areas;
CREATE INDEX commitment_action_areas_area ON commitment_action_areas (coalition_slug, number, commitment_id);
CREATE TRIGGER commitment_action_areas_deleted AFTER DELETE ON commitment_action_areas
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_action_areas_inserted AFTER INSERT ON commitment_action_areas
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;

CREATE TABLE commitment_types_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    commitment_type TEXT NOT NULL CHECK (commitment_type = 'financial' OR commitment_type = 'policy' OR commitment_type = 'programmatic' OR commitment_type = 'advocacy'),
    PRIMARY KEY (commitment_id, commitment_type)
);
INSERT INTO commitment_types_rebuilt (commitment_id, commitment_type)
SELECT commitment_id, commitment_type FROM commitment_types;
DROP TABLE commitment_types;
ALTER TABLE commitment_types_rebuilt RENAME TO commitment_types;
CREATE INDEX commitment_types_type ON commitment_types (commitment_type, commitment_id);
CREATE TRIGGER commitment_types_deleted AFTER DELETE ON commitment_types
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_types_inserted AFTER INSERT ON commitment_types
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;

CREATE TABLE commitment_countries_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    country TEXT NOT NULL CHECK (length(country) = 2 AND upper(country) = country),
    PRIMARY KEY (commitment_id, country)
);
INSERT INTO commitment_countries_rebuilt (commitment_id, country)
SELECT commitment_id, country FROM commitment_countries;
DROP TABLE commitment_countries;
ALTER TABLE commitment_countries_rebuilt RENAME TO commitment_countries;
CREATE INDEX commitment_countries_country ON commitment_countries (country, commitment_id);
CREATE TRIGGER commitment_countries_deleted AFTER DELETE ON commitment_countries
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_countries_inserted AFTER INSERT ON commitment_countries
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;

CREATE TABLE commitment_regions_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    region TEXT NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
    PRIMARY KEY (commitment_id, region)
);
INSERT INTO commitment_regions_rebuilt (commitment_id, region)
SELECT commitment_id, region FROM commitment_regions;
DROP TABLE commitment_regions;
ALTER TABLE commitment_regions_rebuilt RENAME TO commitment_regions;
CREATE INDEX commitment_regions_region ON commitment_regions (region, commitment_id);
CREATE TRIGGER commitment_regions_deleted AFTER DELETE ON commitment_regions
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_regions_inserted AFTER INSERT ON commitment_regions
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;

CREATE TABLE commitment_partners_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    PRIMARY KEY (commitment_id, position)
);
INSERT INTO commitment_partners_rebuilt (commitment_id, position, name)
SELECT commitment_id, position, name FROM commitment_partners;
DROP TABLE commitment_partners;
ALTER TABLE commitment_partners_rebuilt RENAME TO commitment_partners;

CREATE TABLE commitment_target_groups_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    PRIMARY KEY (commitment_id, position)
);
INSERT INTO commitment_target_groups_rebuilt (commitment_id, position, name)
SELECT commitment_id, position, name FROM commitment_target_groups;
DROP TABLE commitment_target_groups;
ALTER TABLE commitment_target_groups_rebuilt RENAME TO commitment_target_groups;

CREATE TABLE commitment_indicators_rebuilt (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    unit TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
    baseline DOUBLE PRECISION,
    target DOUBLE PRECISION,
    PRIMARY KEY (commitment_id, position),
    UNIQUE (commitment_id, name)
);
INSERT INTO commitment_indicators_rebuilt (commitment_id, position, name, unit, baseline, target)
SELECT commitment_id, position, name, unit, baseline, target FROM commitment_indicators;
DROP TABLE commitment_indicators;
ALTER TABLE commitment_indicators_rebuilt RENAME TO commitment_indicators;

CREATE TABLE progress_indicator_actuals_rebuilt (
    progress_report_id TEXT NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    indicator_name TEXT NOT NULL CHECK (length(indicator_name) BETWEEN 1 AND 300),
    actual DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (progress_report_id, indicator_name)
);
INSERT INTO progress_indicator_actuals_rebuilt (progress_report_id, indicator_name, actual)
SELECT progress_report_id, indicator_name, actual FROM progress_indicator_actuals;
DROP TABLE progress_indicator_actuals;
ALTER TABLE progress_indicator_actuals_rebuilt RENAME TO progress_indicator_actuals;

