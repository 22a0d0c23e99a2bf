-- SQLite builds a temporary b-tree for each `CHECK (x IN (...))` of three
-- values or more, on every insert (and every update of x) it checks: a
-- thirtieth of the writer's time (perf). The same checks written as
-- comparisons cost nothing of the kind. They mean the same, every row
-- stored meets them, so the tables' text is rewritten in place, as SQLite
-- documents for changing a CHECK (lang_altertable.html, "Making Other
-- Kinds Of Table Schema Changes"), rather than each table rebuilt. The
-- schema is then read again, and its version moved on (a table made and
-- dropped) so that every other connection reads it again too.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (constituency IN (
        ''government'', ''local_government'', ''civil_society'', ''womens_rights_org'', ''youth_led'',
        ''private_sector'', ''philanthropy'', ''un_entity'', ''multilateral'', ''academia'', ''other''))',
    'CHECK (constituency = ''government'' OR constituency = ''local_government'' OR constituency = ''civil_society'' OR constituency = ''womens_rights_org'' OR constituency = ''youth_led'' OR constituency = ''private_sector'' OR constituency = ''philanthropy'' OR constituency = ''un_entity'' OR constituency = ''multilateral'' OR constituency = ''academia'' OR constituency = ''other'')')
WHERE type = 'table' AND name = 'organizations';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (un_region IN (
        ''africa'', ''americas_caribbean'', ''arab_states'', ''asia_pacific'', ''europe_central_asia''))',
    'CHECK (un_region = ''africa'' OR un_region = ''americas_caribbean'' OR un_region = ''arab_states'' OR un_region = ''asia_pacific'' OR un_region = ''europe_central_asia'')')
WHERE type = 'table' AND name = 'organizations';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (role IN (''admin'', ''coalition_lead'', ''maker'', ''viewer''))',
    'CHECK (role = ''admin'' OR role = ''coalition_lead'' OR role = ''maker'' OR role = ''viewer'')')
WHERE type = 'table' AND name = 'users';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''accepted'', ''declined'', ''withdrawn''))',
    'CHECK (status = ''pending'' OR status = ''accepted'' OR status = ''declined'' OR status = ''withdrawn'')')
WHERE type = 'table' AND name = 'expressions_of_interest';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (
        ''draft'', ''submitted'', ''changes_requested'', ''approved'', ''rejected'',
        ''completion_claimed'', ''completed'', ''withdrawn''))',
    'CHECK (status = ''draft'' OR status = ''submitted'' OR status = ''changes_requested'' OR status = ''approved'' OR status = ''rejected'' OR status = ''completion_claimed'' OR status = ''completed'' OR status = ''withdrawn'')')
WHERE type = 'table' AND name = 'commitments';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (commitment_type IN (''financial'', ''policy'', ''programmatic'', ''advocacy''))',
    'CHECK (commitment_type = ''financial'' OR commitment_type = ''policy'' OR commitment_type = ''programmatic'' OR commitment_type = ''advocacy'')')
WHERE type = 'table' AND name = 'commitment_types';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (decision IN (''approve'', ''reject'', ''request_changes'', ''verify_completion''))',
    'CHECK (decision = ''approve'' OR decision = ''reject'' OR decision = ''request_changes'' OR decision = ''verify_completion'')')
WHERE type = 'table' AND name = 'reviews';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''not_started'', ''in_progress'', ''completed'', ''stalled'', ''cancelled''))',
    'CHECK (status = ''not_started'' OR status = ''in_progress'' OR status = ''completed'' OR status = ''stalled'' OR status = ''cancelled'')')
WHERE type = 'table' AND name = 'progress_reports';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (validation_status IN (''pending'', ''validated'', ''queried''))',
    'CHECK (validation_status = ''pending'' OR validation_status = ''validated'' OR validation_status = ''queried'')')
WHERE type = 'table' AND name = 'progress_reports';

UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (subject_type IN (''commitment'', ''expression_of_interest'', ''progress_report''))',
    'CHECK (subject_type = ''commitment'' OR subject_type = ''expression_of_interest'' OR subject_type = ''progress_report'')')
WHERE type = 'table' AND name = 'events';

PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (x INTEGER);
DROP TABLE schema_version_bump;
