-- Schema version 23: the adventure's events by type (issue 19). Reading the few events of one kind (a scenario's
-- moves, evaluations) walked the whole log of the adventure: 15–30 ms a turn at 10,000 turns, to find none.
CREATE INDEX ix_story_events_type ON story_events (adventure_id, type, sequence);
