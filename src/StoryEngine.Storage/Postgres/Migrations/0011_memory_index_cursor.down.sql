ALTER TABLE memory_generations DROP COLUMN indexed_model;
ALTER TABLE memory_generations DROP COLUMN indexed_through;
