DROP TABLE outbox_messages;
DROP TABLE password_reset_tokens;
DROP TABLE user_recovery_codes;
DROP TABLE user_two_factor;
DROP TABLE api_keys;
DROP INDEX ix_users_email;
ALTER TABLE users DROP COLUMN email;
