DROP TABLE story_summaries;
DROP TABLE memory_generations;
DROP TABLE memory_entries;
