-- Back to version 21's tsvector: heading and text only.
DROP INDEX ix_knowledge_chunks_search;
ALTER TABLE knowledge_chunks DROP COLUMN search;
ALTER TABLE knowledge_chunks ADD COLUMN search tsvector GENERATED ALWAYS AS
    (setweight(to_tsvector('english', heading), 'A') || to_tsvector('english', text)) STORED;
CREATE INDEX ix_knowledge_chunks_search ON knowledge_chunks USING GIN (search) WITH (fastupdate = off);
