-- PostgreSQL schema, version 14 (issues 17 and 18, pictures).
-- One picture per character (avatar), persona (avatar) and world (cover): bytes we re-encoded ourselves (WebP, at most
-- Images:MaxSide pixels a side), never what was uploaded. In the database beside what they belong to, so backups,
-- account exports, erasure (by owner_id) and the trash (a trashed thing's picture is hidden with it, purged with it)
-- cover them with nothing more (docs/adr/0038-pictures-in-the-database.md).
-- kind: 'character', 'persona' or 'world'; subject_id: that row's id. hash: SHA-256 of data in hex, the strong ETag.
-- updated_at is Unix milliseconds (UTC), as every timestamp in this schema.
CREATE TABLE images (
    kind TEXT COLLATE "C" NOT NULL,
    subject_id TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    media_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
CREATE INDEX ix_images_owner ON images (owner_id);
