DROP TABLE story_summaries;
DROP TABLE memory_generations;
DROP TRIGGER memory_entries_au;
DROP TRIGGER memory_entries_ad;
DROP TRIGGER memory_entries_ai;
DROP TABLE memory_fts;
DROP TABLE memory_entries;
