-- SQLite schema, version 22: the world inside the knowledge full-text match (issue 20,
-- docs/adr/0060-bounded-knowledge-search.md). Before, every match of every world was ranked and joined, then filtered.
-- Now a scope column holds a token made from the world id, so the match returns only the world's passages.
DROP TRIGGER knowledge_chunks_ai;
DROP TRIGGER knowledge_chunks_ad;
DROP TRIGGER knowledge_chunks_au;
DROP TABLE knowledge_fts;

-- Contentless: the text stays in knowledge_chunks only (ranking needs none of it). The scope token is 'w' and the hex
-- of the id's bytes, one word whatever the id holds; the search builds the same token.
CREATE VIRTUAL TABLE knowledge_fts USING fts5(scope, heading, text, content='', tokenize='porter unicode61');
INSERT INTO knowledge_fts (rowid, scope, heading, text)
SELECT id, 'w' || hex(world_id), heading, text FROM knowledge_chunks;

CREATE TRIGGER knowledge_chunks_ai AFTER INSERT ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (rowid, scope, heading, text) VALUES (new.id, 'w' || hex(new.world_id), new.heading, new.text);
END;
CREATE TRIGGER knowledge_chunks_ad AFTER DELETE ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, scope, heading, text)
    VALUES ('delete', old.id, 'w' || hex(old.world_id), old.heading, old.text);
END;
CREATE TRIGGER knowledge_chunks_au AFTER UPDATE OF heading, text, world_id ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, scope, heading, text)
    VALUES ('delete', old.id, 'w' || hex(old.world_id), old.heading, old.text);
    INSERT INTO knowledge_fts (rowid, scope, heading, text) VALUES (new.id, 'w' || hex(new.world_id), new.heading, new.text);
END;
