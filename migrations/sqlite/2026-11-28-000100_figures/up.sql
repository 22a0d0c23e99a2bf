-- The figures dashboards read, kept current in the transactions that change
-- them (see src/domain/stats.rs): one row per cell (scope, coalition or '*'
-- for all, dimension, key) with what the commitments in it add up to, and
-- per cell the organizations behind them, to count makers exactly.
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
