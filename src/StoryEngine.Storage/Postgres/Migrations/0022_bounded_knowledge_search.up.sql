-- PostgreSQL schema, version 22: the world inside the knowledge full-text match (issue 20,
-- docs/adr/0060-bounded-knowledge-search.md). The tsvector also carries one lexeme naming the world ('w' + md5 of its
-- id, in the 'simple' configuration, so it is not stemmed), and the search asks for it and the words together.
DROP INDEX ix_knowledge_chunks_search;
ALTER TABLE knowledge_chunks DROP COLUMN search;
ALTER TABLE knowledge_chunks ADD COLUMN search tsvector GENERATED ALWAYS AS
    (setweight(to_tsvector('english', heading), 'A') || to_tsvector('english', text)
     || to_tsvector('simple', 'w' || md5(world_id))) STORED;
CREATE INDEX ix_knowledge_chunks_search ON knowledge_chunks USING GIN (search) WITH (fastupdate = off);
