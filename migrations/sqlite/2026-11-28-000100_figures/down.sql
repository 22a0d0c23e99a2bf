DROP TABLE stat_cell_makers;
DROP TABLE stat_cells;
