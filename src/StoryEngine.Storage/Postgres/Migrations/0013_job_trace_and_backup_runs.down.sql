DROP TABLE backup_runs;
ALTER TABLE jobs DROP COLUMN trace_parent;
