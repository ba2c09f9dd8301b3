DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
DROP TABLE account_erasures;
DROP TABLE usage_ledger;
ALTER TABLE users DROP COLUMN monthly_token_quota;
ALTER TABLE users DROP COLUMN daily_token_quota;
ALTER TABLE users DROP COLUMN tier;
