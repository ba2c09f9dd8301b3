-- PostgreSQL schema, version 3: lorebooks and the files of imported character cards.
-- World lorebooks: world data of the shared shape (docs/adr/0002-world-data-as-json-documents.md), parent = world.
CREATE TABLE lorebooks (
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
    deleted_at BIGINT
);
CREATE INDEX ix_lorebooks_scope ON lorebooks (owner_id, parent_id, id);
CREATE INDEX ix_lorebooks_deleted ON lorebooks (deleted_at) WHERE deleted_at IS NOT NULL;

-- A character's own lorebook (a card's character_book): same shape, parent = the character, id = the character's id.
CREATE TABLE character_lorebooks (
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
    deleted_at BIGINT
);
CREATE INDEX ix_character_lorebooks_scope ON character_lorebooks (owner_id, parent_id, id);
CREATE INDEX ix_character_lorebooks_deleted ON character_lorebooks (deleted_at) WHERE deleted_at IS NOT NULL;

-- Binary files that came with a card (its PNG picture, CHARX assets), kept whole so exports give them back
-- (docs/adr/0008-character-cards-and-lorebooks.md).
CREATE TABLE character_files (
    character_id TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    media_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (character_id, path)
);
