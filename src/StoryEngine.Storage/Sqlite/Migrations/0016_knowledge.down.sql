DROP TABLE knowledge_generations;
DROP TRIGGER knowledge_chunks_au;
DROP TRIGGER knowledge_chunks_ad;
DROP TRIGGER knowledge_chunks_ai;
DROP TABLE knowledge_fts;
DROP TABLE knowledge_chunks;
DROP TABLE knowledge_originals;
DROP TABLE knowledge_documents;
