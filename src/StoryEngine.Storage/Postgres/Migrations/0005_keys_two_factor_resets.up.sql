-- API keys, two-factor sign-in, password resets and the mail outbox (issue 4). Every table that holds a user's rows
-- references users with ON DELETE CASCADE, so deleting an account leaves none of them behind.

-- An optional address for password-reset mail.
ALTER TABLE users ADD COLUMN email TEXT;
CREATE INDEX ix_users_email ON users (email);

-- Keys for scripts: 'se_<public id>_<secret>'; only the SHA-256 of the whole key is kept (docs/adr/0011-api-keys.md).
CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_id TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX ix_api_keys_user ON api_keys (user_id, id);

-- TOTP (RFC 6238). The secret is AES-256-GCM ciphertext (SecretBox); last_step refuses a code used twice.
CREATE TABLE user_two_factor (
    user_id TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT -1
);

-- One-time recovery codes, SHA-256 hashed.
CREATE TABLE user_recovery_codes (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- One-time password-reset tokens, SHA-256 hashed.
CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX ix_password_reset_tokens_user ON password_reset_tokens (user_id);

-- Mail waiting to be sent. The body is SecretBox ciphertext (it holds a live reset link) and is cleared once sent.
CREATE TABLE outbox_messages (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX ix_outbox_due ON outbox_messages (sent_at, next_attempt_at);
