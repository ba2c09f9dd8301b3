-- SQLite schema, version 21 (issue 25, bedtime stories read aloud).
-- bedtime_stories: one row per story a parent asked for. request is the validated POST body as JSON (with the cast the
-- prompt was given); status is writing, voicing, ready or failed; chapter_count is how many chapters it will have;
-- favourite is 0 or 1; deleted_at is set while it is in the trash. Times are Unix milliseconds (UTC).
CREATE TABLE bedtime_stories (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    child_name TEXT,
    age_band TEXT NOT NULL,
    theme TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    chapter_count INTEGER NOT NULL,
    favourite INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    job_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_bedtime_stories_owner ON bedtime_stories (owner_id, id);
-- bedtime_chapters: the chapters written so far, each as the content guard let it through (guard: passed or
-- rewritten; guard_note says what it found).
CREATE TABLE bedtime_chapters (
    story_id TEXT NOT NULL REFERENCES bedtime_stories (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    guard TEXT NOT NULL,
    guard_note TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (story_id, number)
);
CREATE INDEX ix_bedtime_chapters_owner ON bedtime_chapters (owner_id);
-- speech_audio: recordings (MP3, ADR 55) in the database beside what they speak, so backups, exports, erasure and
-- deletion cover them (ADR 56). kind: 'bedtime' (subject '{storyId}/{n}') or 'turn' (subject '{adventureId}/{turnId}');
-- sentences: JSON [{index, text, startMs, endMs}] for read-along; text_hash: SHA-256 of the text spoken, so a changed
-- narration is voiced again; hash: SHA-256 of data, the strong ETag.
CREATE TABLE speech_audio (
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL,
    duration_ms INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    backend TEXT NOT NULL,
    voice TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
CREATE INDEX ix_speech_audio_owner ON speech_audio (owner_id);
