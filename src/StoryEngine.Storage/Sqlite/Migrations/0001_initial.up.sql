-- SQLite schema, version 1.
-- Accounts. username_key is the lower-cased name, so "Ada" and "ada" cannot both register.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- One row per signed-in device; the refresh token is kept only as a SHA-256 hash.
CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    refresh_token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX ix_user_sessions_user ON user_sessions (user_id);

-- World data: one table per kind, all of one shape (docs/adr/0002-world-data-as-json-documents.md).
-- Times are Unix milliseconds; tags are stored as '|a|b|' (lower-case) for a portable LIKE filter.
CREATE TABLE worlds (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_worlds_scope ON worlds (owner_id, parent_id, id);
CREATE INDEX ix_worlds_deleted ON worlds (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_locations_scope ON locations (owner_id, parent_id, id);
CREATE INDEX ix_locations_deleted ON locations (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE characters (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_characters_scope ON characters (owner_id, parent_id, id);
CREATE INDEX ix_characters_deleted ON characters (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE personas (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_personas_scope ON personas (owner_id, parent_id, id);
CREATE INDEX ix_personas_deleted ON personas (deleted_at) WHERE deleted_at IS NOT NULL;
