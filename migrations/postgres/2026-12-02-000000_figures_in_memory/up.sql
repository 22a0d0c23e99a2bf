-- The figures are kept in memory by every instance (src/db/figures.rs):
-- the counter tables go, and the database only notes which commitments'
-- facts changed, for instances to follow. Triggers note them, so that no
-- writer can forget to.
DROP TABLE stat_cell_makers;
DROP TABLE stat_cells;

-- One row per change a write made to a commitment's facts; `*` asks every
-- instance to read all the facts again (after a bulk load). `txid` is the
-- writer's transaction: a follower reads what transactions at or past the
-- oldest one it may not have seen wrote, so a transaction that commits
-- late is never skipped (no lock held to commit). Rows are pruned once
-- every instance has had time to follow them.
CREATE TABLE fact_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commitment_id TEXT NOT NULL,
    txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    noted_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX fact_changes_txid ON fact_changes (txid);
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
INSERT INTO fact_switch (id, bulk) VALUES (1, false);

-- TG_ARGV[0]: the column naming the commitment. Only submitted
-- commitments are counted: a draft's writes note nothing (submitting it
-- notes it, and its facts are then read whole).
CREATE FUNCTION note_fact_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named text;
    counted boolean;
BEGIN
    IF (SELECT bulk FROM fact_switch) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        named := to_jsonb(OLD) ->> TG_ARGV[0];
    ELSE
        named := to_jsonb(NEW) ->> TG_ARGV[0];
    END IF;
    IF TG_TABLE_NAME = 'commitments' THEN
        counted := (TG_OP <> 'INSERT' AND OLD.submitted_at IS NOT NULL)
            OR (TG_OP <> 'DELETE' AND NEW.submitted_at IS NOT NULL);
    ELSIF TG_TABLE_NAME = 'progress_reports' THEN
        counted := true;
    ELSE
        counted := EXISTS (SELECT 1 FROM commitments c
                           WHERE c.id = named AND c.submitted_at IS NOT NULL);
    END IF;
    IF counted THEN
        INSERT INTO fact_changes (commitment_id) VALUES (named);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER commitments_changed AFTER INSERT OR UPDATE OR DELETE ON commitments
FOR EACH ROW EXECUTE FUNCTION note_fact_change('id');
CREATE TRIGGER commitment_types_changed AFTER INSERT OR DELETE ON commitment_types
FOR EACH ROW EXECUTE FUNCTION note_fact_change('commitment_id');
CREATE TRIGGER commitment_countries_changed AFTER INSERT OR DELETE ON commitment_countries
FOR EACH ROW EXECUTE FUNCTION note_fact_change('commitment_id');
CREATE TRIGGER commitment_regions_changed AFTER INSERT OR DELETE ON commitment_regions
FOR EACH ROW EXECUTE FUNCTION note_fact_change('commitment_id');
CREATE TRIGGER commitment_action_areas_changed AFTER INSERT OR DELETE ON commitment_action_areas
FOR EACH ROW EXECUTE FUNCTION note_fact_change('commitment_id');
CREATE TRIGGER progress_reports_changed AFTER INSERT OR UPDATE OR DELETE ON progress_reports
FOR EACH ROW EXECUTE FUNCTION note_fact_change('commitment_id');

-- Its commitments are counted under an organization's constituency.
CREATE FUNCTION note_constituency_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (SELECT bulk FROM fact_switch) AND OLD.constituency <> NEW.constituency THEN
        INSERT INTO fact_changes (commitment_id)
        SELECT id FROM commitments WHERE organization_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_constituency AFTER UPDATE OF constituency ON organizations
FOR EACH ROW EXECUTE FUNCTION note_constituency_change();

-- Every instance reads all the facts at start-up; this one too.
INSERT INTO fact_changes (commitment_id) VALUES ('*');
