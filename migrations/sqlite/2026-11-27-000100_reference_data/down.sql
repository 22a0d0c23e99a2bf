DELETE FROM action_area_translations;
DELETE FROM action_areas;
DELETE FROM coalition_translations;
DELETE FROM coalitions;
