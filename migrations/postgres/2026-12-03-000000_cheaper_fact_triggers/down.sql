DROP TRIGGER commitments_inserted ON commitments;
DROP TRIGGER commitments_updated ON commitments;
DROP TRIGGER commitments_deleted ON commitments;
DROP TRIGGER commitment_types_changed ON commitment_types;
DROP TRIGGER commitment_countries_changed ON commitment_countries;
DROP TRIGGER commitment_regions_changed ON commitment_regions;
DROP TRIGGER commitment_action_areas_changed ON commitment_action_areas;
DROP TRIGGER progress_reports_changed ON progress_reports;
DROP FUNCTION note_part_change();
DROP FUNCTION note_commitment_change();

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

