DROP TRIGGER memory_entries_au;
DROP TRIGGER memory_entries_ad;
DROP TRIGGER memory_entries_ai;
DROP TABLE memory_fts;
DROP TABLE memory_scopes;

-- Back to version 8's shared external-content table, rebuilt from memory_entries.
CREATE VIRTUAL TABLE memory_fts USING fts5(text, content='memory_entries', content_rowid='id', tokenize='porter unicode61');
INSERT INTO memory_fts (memory_fts) VALUES ('rebuild');
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
