DROP TABLE personas;
DROP TABLE characters;
DROP TABLE locations;
DROP TABLE worlds;
DROP TABLE user_sessions;
DROP TABLE users;
