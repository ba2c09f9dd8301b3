ALTER TABLE memory_generations DROP COLUMN summaries_version;
ALTER TABLE memory_generations DROP COLUMN summaries_checked_through;
ALTER TABLE memory_generations DROP COLUMN indexed_model;
ALTER TABLE memory_generations DROP COLUMN indexed_through;
