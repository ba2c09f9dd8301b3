-- SQLite schema, version 11: where each adventure's recall index and summaries stand in its story log
-- (docs/adr/0030-incremental-memory-index.md). The index job reads only the events after indexed_through instead of
-- every turn; indexed_model is the embedding model every entry written under that cursor has a vector of (NULL: text
-- only). The summary job checks for stale summaries only the turns touched after summaries_checked_through;
-- summaries_version counts writes to the summaries, so two summary jobs of one adventure never write past each other.
-- All are NULL until the next full pass (memories written by version 10 or earlier), so an old database is caught up
-- once, from scratch.
ALTER TABLE memory_generations ADD COLUMN indexed_through BIGINT;
ALTER TABLE memory_generations ADD COLUMN indexed_model TEXT;
ALTER TABLE memory_generations ADD COLUMN summaries_checked_through BIGINT;
ALTER TABLE memory_generations ADD COLUMN summaries_version BIGINT;
