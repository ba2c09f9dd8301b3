DROP INDEX ix_story_events_type;
