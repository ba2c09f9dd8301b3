-- PostgreSQL schema, version 16: world knowledge (issue 20, docs/adr/0045-world-documents.md).
-- A world's documents, in the shared shape of world data (docs/adr/0002-world-data-as-json-documents.md): list, trash,
-- restore and purge work as for locations. The body holds what was uploaded (file name, format, size, SHA-256).
CREATE TABLE knowledge_documents (
    id TEXT COLLATE "C" PRIMARY KEY,
    owner_id TEXT COLLATE "C" NOT NULL,
    parent_id TEXT COLLATE "C",
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
    document_id TEXT COLLATE "C" PRIMARY KEY,
    owner_id TEXT COLLATE "C" NOT NULL,
    media_type TEXT NOT NULL,
    content BYTEA NOT NULL
);
CREATE INDEX ix_knowledge_originals_owner ON knowledge_originals (owner_id);

-- The passages a document was cut into (by headings and paragraphs, with overlap). Each carries its vector with the
-- model's name and the vector's length, so a model change is seen and re-indexed instead of mixing spaces. The
-- tsvector weighs the heading above the text and is indexed with GIN (fastupdate off, as memory_entries.search).
CREATE TABLE knowledge_chunks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id TEXT COLLATE "C" NOT NULL,
    world_id TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    ordinal BIGINT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    search tsvector GENERATED ALWAYS AS
        (setweight(to_tsvector('english', heading), 'A') || to_tsvector('english', text)) STORED,
    embedding BYTEA,
    embedding_model TEXT,
    embedding_dimensions BIGINT,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX ix_knowledge_chunks_world ON knowledge_chunks (world_id);
CREATE INDEX ix_knowledge_chunks_owner ON knowledge_chunks (owner_id);
CREATE INDEX ix_knowledge_chunks_search ON knowledge_chunks USING GIN (search) WITH (fastupdate = off);

-- Moves on with every chunk write of a world, so the in-process vector cache knows when to reload it.
CREATE TABLE knowledge_generations (
    world_id TEXT COLLATE "C" PRIMARY KEY,
    generation BIGINT NOT NULL
);
