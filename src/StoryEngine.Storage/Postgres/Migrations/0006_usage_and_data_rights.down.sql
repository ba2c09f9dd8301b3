CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
DROP TABLE account_erasures;
DROP TABLE usage_ledger;
ALTER TABLE users DROP COLUMN monthly_token_quota;
ALTER TABLE users DROP COLUMN daily_token_quota;
ALTER TABLE users DROP COLUMN tier;
