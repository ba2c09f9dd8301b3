-- Usage, tiers and quotas, and account erasure (issue 4; docs/adr/0013-usage-ledger-and-quotas.md,
-- docs/adr/0014-account-erasure.md).
-- A user's tier (null: the configured default tier) and an admin's per-user override of its token quotas.
ALTER TABLE users ADD COLUMN tier TEXT;
ALTER TABLE users ADD COLUMN daily_token_quota BIGINT;
ALTER TABLE users ADD COLUMN monthly_token_quota BIGINT;

-- One row per model call. day is the UTC date (yyyy-MM-dd) of at, so reports group without date functions that
-- differ between engines. cost_micros is millionths of the operator's currency, priced when the call was made.
CREATE TABLE usage_ledger (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    adventure_id TEXT,
    purpose TEXT NOT NULL,
    backend TEXT,
    model TEXT,
    prompt_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    estimated BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    day TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX ix_usage_ledger_user_at ON usage_ledger (user_id, at);
CREATE INDEX ix_usage_ledger_day ON usage_ledger (day, user_id);

-- An erasure in progress. It exists only inside the transaction that deletes an account, and is the one thing
-- that lets that transaction remove or anonymise the account's audit entries: the log stays append-only otherwise.
CREATE TABLE account_erasures (
    user_id TEXT PRIMARY KEY,
    username_key TEXT NOT NULL
);

DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM account_erasures e WHERE e.user_id = OLD.actor_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM account_erasures e
                 WHERE e.user_id = OLD.user_id OR (OLD.user_id IS NULL AND e.username_key = lower(OLD.username)))
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
