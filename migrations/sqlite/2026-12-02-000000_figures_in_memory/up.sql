-- The figures are kept in memory by every instance (src/db/figures.rs):
-- the counter tables go, and the database only notes which commitments'
-- facts changed, in the order their writes committed, for instances to
-- follow. Triggers note them, so that no writer can forget to.
DROP TABLE stat_cell_makers;
DROP TABLE stat_cells;

-- One row per change a write made to a commitment's facts; `*` asks every
-- instance to read all the facts again (after a bulk load). Rows are
-- pruned once every instance has had time to follow them.
CREATE TABLE fact_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    commitment_id TEXT NOT NULL,
    -- PostgreSQL's writer transaction; SQLite commits one writer at a
    -- time, in `seq` order.
    txid BIGINT NOT NULL DEFAULT 0,
    noted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX fact_changes_noted_at ON fact_changes (noted_at);

-- A bulk load sets `bulk` at the start of each of its transactions and
-- clears it before it commits, so that its own writes note nothing while
-- everyone else's (who see the committed value, unset) still do, and a
-- load that fails leaves it unset. It notes one `*` when it is done
-- rather than a row for each of its million changes.
CREATE TABLE fact_switch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bulk BOOLEAN NOT NULL
);
INSERT INTO fact_switch (id, bulk) VALUES (1, 0);

-- Only submitted commitments are counted: a draft's writes note nothing
-- (submitting it notes it, and its facts are then read whole).
CREATE TRIGGER commitments_inserted AFTER INSERT ON commitments
WHEN (SELECT bulk FROM fact_switch) = 0 AND NEW.submitted_at IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.id); END;
CREATE TRIGGER commitments_updated AFTER UPDATE ON commitments
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (OLD.submitted_at IS NOT NULL OR NEW.submitted_at IS NOT NULL)
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.id); END;
CREATE TRIGGER commitments_deleted AFTER DELETE ON commitments
WHEN (SELECT bulk FROM fact_switch) = 0 AND OLD.submitted_at IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.id); END;

CREATE TRIGGER commitment_types_inserted AFTER INSERT ON commitment_types
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER commitment_types_deleted AFTER DELETE ON commitment_types
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_countries_inserted AFTER INSERT ON commitment_countries
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER commitment_countries_deleted AFTER DELETE ON commitment_countries
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_regions_inserted AFTER INSERT ON commitment_regions
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER commitment_regions_deleted AFTER DELETE ON commitment_regions
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;
CREATE TRIGGER commitment_action_areas_inserted AFTER INSERT ON commitment_action_areas
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER commitment_action_areas_deleted AFTER DELETE ON commitment_action_areas
WHEN (SELECT bulk FROM fact_switch) = 0
    AND (SELECT submitted_at FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;

CREATE TRIGGER progress_reports_inserted AFTER INSERT ON progress_reports
WHEN (SELECT bulk FROM fact_switch) = 0
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER progress_reports_updated AFTER UPDATE ON progress_reports
WHEN (SELECT bulk FROM fact_switch) = 0
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (NEW.commitment_id); END;
CREATE TRIGGER progress_reports_deleted AFTER DELETE ON progress_reports
WHEN (SELECT bulk FROM fact_switch) = 0
BEGIN INSERT INTO fact_changes (commitment_id) VALUES (OLD.commitment_id); END;

-- Its commitments are counted under an organization's constituency.
CREATE TRIGGER organizations_constituency AFTER UPDATE OF constituency ON organizations
WHEN (SELECT bulk FROM fact_switch) = 0 AND OLD.constituency <> NEW.constituency
BEGIN
    INSERT INTO fact_changes (commitment_id)
    SELECT id FROM commitments WHERE organization_id = NEW.id;
END;

-- Every instance reads all the facts at start-up; this one too.
INSERT INTO fact_changes (commitment_id) VALUES ('*');
