DROP TABLE character_files;
DROP TABLE character_lorebooks;
DROP TABLE lorebooks;
