DROP TABLE knowledge_generations;
DROP TABLE knowledge_chunks;
DROP TABLE knowledge_originals;
DROP TABLE knowledge_documents;
