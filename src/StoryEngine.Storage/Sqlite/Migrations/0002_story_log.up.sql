-- SQLite schema, version 2: adventures and the story log.
-- Adventures: a small header per story; its history is story_events.
CREATE TABLE adventures (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    world_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    last_sequence BIGINT NOT NULL,
    turn_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ix_adventures_owner ON adventures (owner_id, id);

-- The story log: append-only, one row per event, sequences without gaps per adventure
-- (docs/adr/0005-story-log.md). Never updated, never deleted except with its adventure.
CREATE TABLE story_events (
    adventure_id TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (adventure_id, sequence)
);

-- The transcript projection: one row per turn, rewritten only when an event touches that turn.
CREATE TABLE story_turns (
    adventure_id TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    undone BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (adventure_id, turn_id)
);
CREATE INDEX ix_story_turns_number ON story_turns (adventure_id, number);
CREATE INDEX ix_story_turns_streaming ON story_turns (status) WHERE status = 'streaming';

-- The newest checkpoint of each narration while it streams; what survives a crash.
CREATE TABLE narration_drafts (
    adventure_id TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    alternative BIGINT NOT NULL,
    text TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (adventure_id, turn_id, alternative)
);

-- What the narrator was sent for each narration (the context inspector).
CREATE TABLE narration_contexts (
    adventure_id TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    alternative BIGINT NOT NULL,
    context TEXT NOT NULL,
    PRIMARY KEY (adventure_id, turn_id, alternative)
);
