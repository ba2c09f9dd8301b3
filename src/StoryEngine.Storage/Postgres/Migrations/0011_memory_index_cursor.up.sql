-- PostgreSQL schema, version 11: where each adventure's recall index stands in its story log (docs/adr/0030-incremental-memory-index.md).
-- The index job reads only the events after indexed_through instead of every turn; indexed_model is the
-- embedding model every entry written under that cursor has a vector of (NULL: text only). Both are NULL until the
-- next full sync (an index written by version 10 or earlier), so an old database is caught up once, from scratch.
ALTER TABLE memory_generations ADD COLUMN indexed_through BIGINT;
ALTER TABLE memory_generations ADD COLUMN indexed_model TEXT;
