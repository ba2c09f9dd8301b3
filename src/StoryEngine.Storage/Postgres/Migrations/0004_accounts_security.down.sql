DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE login_failures;
DROP TABLE user_session_retired_tokens;
ALTER TABLE user_sessions DROP COLUMN ip;
ALTER TABLE user_sessions DROP COLUMN user_agent;
ALTER TABLE user_sessions DROP COLUMN last_used_at;
ALTER TABLE users DROP COLUMN disabled_at;
