-- PostgreSQL schema, version 7: which lore entries each narration's prompt held (issue 5), so later turns can
-- apply sticky, cooldown and delay. One row per narration (turn and alternative); a turn counts only while it is
-- live and its alternative is the chosen one, which keeps undo and retry right. A fork copies its parent's rows
-- for the turns it inherits (docs/adr/0015-lore-activation-records.md).
CREATE TABLE lore_activations (
    adventure_id TEXT COLLATE "C" NOT NULL,
    turn_id TEXT COLLATE "C" NOT NULL,
    alternative BIGINT NOT NULL,
    turn_number BIGINT NOT NULL,
    entries TEXT NOT NULL,
    PRIMARY KEY (adventure_id, turn_id, alternative)
);
CREATE INDEX ix_lore_activations_number ON lore_activations (adventure_id, turn_number);
