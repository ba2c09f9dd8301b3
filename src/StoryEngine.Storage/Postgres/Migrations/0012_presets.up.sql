CREATE TABLE presets (
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
CREATE INDEX ix_presets_scope ON presets (owner_id, parent_id, id);
CREATE INDEX ix_presets_deleted ON presets (deleted_at) WHERE deleted_at IS NOT NULL;
