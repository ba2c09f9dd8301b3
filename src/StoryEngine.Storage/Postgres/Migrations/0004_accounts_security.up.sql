-- Accounts hardening (issue 4): disabled accounts, session details, refresh-token reuse detection, sign-in
-- throttling and the audit log.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

ALTER TABLE user_sessions ADD COLUMN last_used_at BIGINT;
ALTER TABLE user_sessions ADD COLUMN user_agent TEXT;
ALTER TABLE user_sessions ADD COLUMN ip TEXT;

-- Hashes of refresh tokens that were traded in. Presenting one again means it was copied: the session is revoked.
CREATE TABLE user_session_retired_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL,
    retired_at BIGINT NOT NULL
);
CREATE INDEX ix_retired_tokens_session ON user_session_retired_tokens (session_id, retired_at);

-- Failed sign-ins per throttle key: 'account:<sha256 of the name as typed>' or 'ip:<address>'.
CREATE TABLE login_failures (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
CREATE INDEX ix_login_failures_last ON login_failures (last_failure_at);

-- Append-only: the trigger refuses UPDATE and DELETE, so not even a bug in the server can rewrite history.
CREATE TABLE audit_log (
    id TEXT COLLATE "C" PRIMARY KEY,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    user_id TEXT COLLATE "C",
    actor_id TEXT COLLATE "C",
    username TEXT,
    ip TEXT,
    user_agent TEXT,
    detail TEXT
);
CREATE INDEX ix_audit_log_user ON audit_log (user_id, id);
CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX ix_audit_log_action ON audit_log (action, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
