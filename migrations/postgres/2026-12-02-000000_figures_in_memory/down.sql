DROP TRIGGER organizations_constituency ON organizations;
DROP FUNCTION note_constituency_change();
DROP TRIGGER progress_reports_changed ON progress_reports;
DROP TRIGGER commitment_action_areas_changed ON commitment_action_areas;
DROP TRIGGER commitment_regions_changed ON commitment_regions;
DROP TRIGGER commitment_countries_changed ON commitment_countries;
DROP TRIGGER commitment_types_changed ON commitment_types;
DROP TRIGGER commitments_changed ON commitments;
DROP FUNCTION note_fact_change();
DROP TABLE fact_switch;
DROP TABLE fact_changes;
CREATE TABLE stat_cells (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 400),
    scope TEXT NOT NULL CHECK (scope IN ('public', 'all')),
    coalition TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    commitments BIGINT NOT NULL CHECK (commitments >= 0),
    makers BIGINT NOT NULL CHECK (makers >= 0),
    -- Hundredths of USD as decimal text: sums may pass 64 bits.
    pledged_usd_minor TEXT NOT NULL,
    disbursed_usd_minor TEXT NOT NULL,
    percent_sum BIGINT NOT NULL,
    percent_n BIGINT NOT NULL CHECK (percent_n >= 0)
);
CREATE INDEX stat_cells_rows ON stat_cells (scope, coalition, dimension, key);

CREATE TABLE stat_cell_makers (
    cell_id TEXT NOT NULL REFERENCES stat_cells (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    commitments BIGINT NOT NULL CHECK (commitments >= 0),
    PRIMARY KEY (cell_id, organization_id)
);
CREATE INDEX stat_cell_makers_organization ON stat_cell_makers (organization_id, cell_id);
