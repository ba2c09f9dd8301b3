-- PostgreSQL schema, version 10: the adventure inside the full-text match (issue 5, docs/adr/0028-bounded-full-text-recall.md).
-- The tsvector also carries one lexeme naming the adventure ('adv' + md5 of its id, in the 'simple' configuration,
-- which leaves it as it is), so one GIN lookup serves the adventure filter and the words together and only the
-- adventure's matches are read. No extension needed (btree_gin would be the alternative). Generated columns cannot
-- change their expression on PostgreSQL 15, so the column is made anew: that recomputes it for existing rows.
DROP INDEX ix_memory_entries_search;
ALTER TABLE memory_entries DROP COLUMN search;
ALTER TABLE memory_entries ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('english', text) || to_tsvector('simple', 'adv' || md5(adventure_id))) STORED;
CREATE INDEX ix_memory_entries_search ON memory_entries USING GIN (search);
