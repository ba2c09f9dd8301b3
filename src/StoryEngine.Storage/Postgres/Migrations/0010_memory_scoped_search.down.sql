DROP INDEX ix_memory_entries_search;
ALTER TABLE memory_entries DROP COLUMN search;
ALTER TABLE memory_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED;
CREATE INDEX ix_memory_entries_search ON memory_entries USING GIN (search);
