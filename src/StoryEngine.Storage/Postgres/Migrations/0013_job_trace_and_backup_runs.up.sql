-- PostgreSQL schema, version 12 (issue 16, operations).
-- jobs.trace_parent: the W3C traceparent of the span that queued the job (the turn's), so the job's own trace links
-- back to it on whichever node, and after whichever restart, runs it. NULL when nothing was being traced.
ALTER TABLE jobs ADD COLUMN trace_parent TEXT;
-- One row per scheduled backup slot, claimed by the first node to insert it: with several nodes on one database,
-- exactly one takes each scheduled backup, whatever folder each writes to (docs/operations.md).
-- slot and claimed_at are Unix milliseconds (UTC), as every timestamp in this schema.
CREATE TABLE backup_runs (
    slot BIGINT PRIMARY KEY,
    node TEXT NOT NULL,
    claimed_at BIGINT NOT NULL
);
