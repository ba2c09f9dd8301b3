-- PostgreSQL schema, version 8: the recall index and summaries (issue 5, docs/adr/0019-memory-recall.md).
-- One row per remembered turn of an adventure; the tsvector is generated from the text and indexed with GIN.
CREATE TABLE memory_entries (
    adventure_id TEXT COLLATE "C" NOT NULL,
    turn_id TEXT COLLATE "C" NOT NULL,
    number BIGINT NOT NULL,
    version BIGINT NOT NULL,
    text TEXT NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    embedding BYTEA,
    embedding_model TEXT,
    PRIMARY KEY (adventure_id, turn_id)
);
CREATE INDEX ix_memory_entries_search ON memory_entries USING GIN (search);

-- Moves on with every index write, so in-process vector caches know when to reload an adventure.
CREATE TABLE memory_generations (
    adventure_id TEXT COLLATE "C" PRIMARY KEY,
    generation BIGINT NOT NULL
);

-- Rolling summaries: layer 0 summarises turns from_turn..to_turn, layer n+1 summarises layer n.
CREATE TABLE story_summaries (
    adventure_id TEXT COLLATE "C" NOT NULL,
    layer BIGINT NOT NULL,
    from_turn BIGINT NOT NULL,
    to_turn BIGINT NOT NULL,
    text TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (adventure_id, layer, from_turn)
);
