DROP TABLE narration_contexts;
DROP TABLE narration_drafts;
DROP TABLE story_turns;
DROP TABLE story_events;
DROP TABLE adventures;
