-- SQLite schema, version 16: world knowledge (issue 20, docs/adr/0045-world-documents.md).
-- A world's documents, in the shared shape of world data (docs/adr/0002-world-data-as-json-documents.md): list, trash,
-- restore and purge work as for locations. The body holds what was uploaded (file name, format, size, SHA-256).
CREATE TABLE knowledge_documents (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    summary TEXT
);
CREATE INDEX ix_knowledge_documents_scope ON knowledge_documents (owner_id, parent_id, id);
CREATE INDEX ix_knowledge_documents_deleted ON knowledge_documents (deleted_at) WHERE deleted_at IS NOT NULL;

-- The uploaded file as it came, so a document can be downloaded and re-indexed (a better extractor, a new model).
CREATE TABLE knowledge_originals (
    document_id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX ix_knowledge_originals_owner ON knowledge_originals (owner_id);

-- The passages a document was cut into (by headings and paragraphs, with overlap). Each carries its vector with the
-- model's name and the vector's length, so a model change is seen and re-indexed instead of mixing spaces.
CREATE TABLE knowledge_chunks (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL,
    world_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    embedding BLOB,
    embedding_model TEXT,
    embedding_dimensions BIGINT,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX ix_knowledge_chunks_world ON knowledge_chunks (world_id);
CREATE INDEX ix_knowledge_chunks_owner ON knowledge_chunks (owner_id);

-- Full-text index over heading and text (external content: stored once), kept in step by triggers.
CREATE VIRTUAL TABLE knowledge_fts USING fts5(heading, text, content='knowledge_chunks', content_rowid='id',
    tokenize='porter unicode61');
CREATE TRIGGER knowledge_chunks_ai AFTER INSERT ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (rowid, heading, text) VALUES (new.id, new.heading, new.text);
END;
CREATE TRIGGER knowledge_chunks_ad AFTER DELETE ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, heading, text) VALUES ('delete', old.id, old.heading, old.text);
END;
CREATE TRIGGER knowledge_chunks_au AFTER UPDATE OF heading, text ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, heading, text) VALUES ('delete', old.id, old.heading, old.text);
    INSERT INTO knowledge_fts (rowid, heading, text) VALUES (new.id, new.heading, new.text);
END;

-- Moves on with every chunk write of a world, so the in-process vector cache knows when to reload it.
CREATE TABLE knowledge_generations (
    world_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
