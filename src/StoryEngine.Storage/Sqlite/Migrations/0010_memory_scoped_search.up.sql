-- SQLite schema, version 10: the adventure inside the full-text match (issue 5, docs/adr/0028-bounded-full-text-recall.md).
-- Before, the FTS table was shared by all adventures and filtered by a join, so every match of every adventure was
-- ranked and then thrown away. Now a scope column holds the adventure's small integer key and the MATCH names it.
CREATE TABLE memory_scopes (
    key INTEGER PRIMARY KEY,
    adventure_id TEXT NOT NULL UNIQUE
);
INSERT INTO memory_scopes (adventure_id) SELECT DISTINCT adventure_id FROM memory_entries ORDER BY adventure_id;

DROP TRIGGER memory_entries_ai;
DROP TRIGGER memory_entries_ad;
DROP TRIGGER memory_entries_au;
DROP TABLE memory_fts;

-- Contentless: the text stays in memory_entries only (ranking needs no content), and the key, which memory_entries
-- has no column for, is looked up by the triggers. Deleting needs the values that were indexed, hence the same lookup.
CREATE VIRTUAL TABLE memory_fts USING fts5(scope, text, content='', tokenize='porter unicode61');
-- Reindexes what earlier versions indexed.
INSERT INTO memory_fts (rowid, scope, text)
SELECT m.id, s.key, m.text FROM memory_entries m JOIN memory_scopes s ON s.adventure_id = m.adventure_id;

CREATE TRIGGER memory_entries_ai AFTER INSERT ON memory_entries BEGIN
    INSERT OR IGNORE INTO memory_scopes (adventure_id) VALUES (new.adventure_id);
    INSERT INTO memory_fts (rowid, scope, text)
    VALUES (new.id, (SELECT key FROM memory_scopes WHERE adventure_id = new.adventure_id), new.text);
END;
-- An adventure's key goes with its last entry (a deleted adventure leaves nothing behind); no indexed row uses it then.
CREATE TRIGGER memory_entries_ad AFTER DELETE ON memory_entries BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, scope, text)
    VALUES ('delete', old.id, (SELECT key FROM memory_scopes WHERE adventure_id = old.adventure_id), old.text);
    DELETE FROM memory_scopes WHERE adventure_id = old.adventure_id
        AND NOT EXISTS (SELECT 1 FROM memory_entries WHERE adventure_id = old.adventure_id);
END;
CREATE TRIGGER memory_entries_au AFTER UPDATE OF text ON memory_entries BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, scope, text)
    VALUES ('delete', old.id, (SELECT key FROM memory_scopes WHERE adventure_id = old.adventure_id), old.text);
    INSERT INTO memory_fts (rowid, scope, text)
    VALUES (new.id, (SELECT key FROM memory_scopes WHERE adventure_id = new.adventure_id), new.text);
END;
