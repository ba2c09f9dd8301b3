-- Back to version 21's knowledge index: external content over heading and text, filtered by a join.
DROP TRIGGER knowledge_chunks_ai;
DROP TRIGGER knowledge_chunks_ad;
DROP TRIGGER knowledge_chunks_au;
DROP TABLE knowledge_fts;
CREATE VIRTUAL TABLE knowledge_fts USING fts5(heading, text, content='knowledge_chunks', content_rowid='id',
    tokenize='porter unicode61');
INSERT INTO knowledge_fts (knowledge_fts) VALUES ('rebuild');
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
