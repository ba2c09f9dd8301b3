-- SQLite schema, version 8: the recall index and summaries (issue 5, docs/adr/0019-memory-recall.md).
-- One row per remembered turn of an adventure. The explicit integer id keeps the FTS rowid stable across VACUUM.
CREATE TABLE memory_entries (
    id INTEGER PRIMARY KEY,
    adventure_id TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    version BIGINT NOT NULL,
    text TEXT NOT NULL,
    embedding BLOB,
    embedding_model TEXT,
    UNIQUE (adventure_id, turn_id)
);

-- Full-text index over memory_entries.text (external content: the text is stored once), kept in step by triggers.
CREATE VIRTUAL TABLE memory_fts USING fts5(text, content='memory_entries', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER memory_entries_ai AFTER INSERT ON memory_entries BEGIN
    INSERT INTO memory_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER memory_entries_ad AFTER DELETE ON memory_entries BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER memory_entries_au AFTER UPDATE OF text ON memory_entries BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO memory_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Moves on with every index write, so in-process vector caches know when to reload an adventure.
CREATE TABLE memory_generations (
    adventure_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);

-- Rolling summaries: layer 0 summarises turns from_turn..to_turn, layer n+1 summarises layer n.
CREATE TABLE story_summaries (
    adventure_id TEXT NOT NULL,
    layer BIGINT NOT NULL,
    from_turn BIGINT NOT NULL,
    to_turn BIGINT NOT NULL,
    text TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (adventure_id, layer, from_turn)
);
