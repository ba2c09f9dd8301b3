DROP TABLE speech_audio;
DROP TABLE bedtime_chapters;
DROP TABLE bedtime_stories;
