DROP TRIGGER commitments_inserted;
DROP TRIGGER commitments_updated;
DROP TRIGGER commitments_deleted;
DROP TRIGGER commitment_types_inserted;
DROP TRIGGER commitment_types_deleted;
DROP TRIGGER commitment_countries_inserted;
DROP TRIGGER commitment_countries_deleted;
DROP TRIGGER commitment_regions_inserted;
DROP TRIGGER commitment_regions_deleted;
DROP TRIGGER commitment_action_areas_inserted;
DROP TRIGGER commitment_action_areas_deleted;
DROP TRIGGER progress_reports_inserted;
DROP TRIGGER progress_reports_updated;
DROP TRIGGER progress_reports_deleted;
DROP TRIGGER organizations_constituency;
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
