-- PostgreSQL schema, version 15 (issue 19, a fast turn path and light lists).
-- summary: what a list shows beyond the name, as JSON {"tags": [...], "description": "its opening"}, written with
-- every insert and update so a list page reads no bodies. NULL on rows written before this version: the store
-- reads their body instead until they are next saved.
ALTER TABLE worlds ADD COLUMN summary TEXT;
ALTER TABLE locations ADD COLUMN summary TEXT;
ALTER TABLE characters ADD COLUMN summary TEXT;
ALTER TABLE personas ADD COLUMN summary TEXT;
ALTER TABLE lorebooks ADD COLUMN summary TEXT;
ALTER TABLE character_lorebooks ADD COLUMN summary TEXT;
ALTER TABLE presets ADD COLUMN summary TEXT;
