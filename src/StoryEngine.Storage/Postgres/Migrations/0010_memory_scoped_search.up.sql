-- PostgreSQL schema, version 10: the adventure inside the full-text match (issue 5, docs/adr/0028-bounded-full-text-recall.md).
-- The tsvector also carries one lexeme naming the adventure ('adv' + md5 of its id, in the 'simple' configuration,
-- which leaves it as it is), so one GIN lookup serves the adventure filter and the words together and only the
-- adventure's matches are read. No extension needed (btree_gin would be the alternative). Generated columns cannot
-- change their expression on PostgreSQL 15, so the column is made anew: that recomputes it for existing rows.
DROP INDEX ix_memory_entries_search;
ALTER TABLE memory_entries DROP COLUMN search;
ALTER TABLE memory_entries ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('english', text) || to_tsvector('simple', 'adv' || md5(adventure_id))) STORED;
-- fastupdate off: with it on, new entries wait in the GIN pending list until a vacuum, and every search scans that list
-- row by row (a freshly indexed 10,000-turn adventure: ~6 ms a search instead of ~2). Recall is on the turn's path; the
-- index job that pays for the direct insert is not.
CREATE INDEX ix_memory_entries_search ON memory_entries USING GIN (search) WITH (fastupdate = off);
