-- Background jobs (issue 5): a durable queue. A worker claims a job by moving it to 'running' with a lease
-- (locked_until, lease_id); a job whose lease ran out (its worker died) is claimable again. See docs/adr/0017-job-queue.md.
-- States: queued, running, failed (an attempt failed; retried at run_after), succeeded, dead, cancelled.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    adventure_id TEXT,
    priority BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    locked_until BIGINT,
    lease_id TEXT,
    last_error TEXT,
    dedupe_key TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
-- What a worker looks at when it claims: only unfinished jobs, highest priority first.
CREATE INDEX ix_jobs_claim ON jobs (priority DESC, run_after, id) WHERE state IN ('queued', 'failed', 'running');
CREATE INDEX ix_jobs_owner ON jobs (owner_id, id);
CREATE INDEX ix_jobs_adventure ON jobs (adventure_id, id);
CREATE INDEX ix_jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- At most one unfinished job per type and dedupe key: enqueueing the same work twice reuses the first.
CREATE UNIQUE INDEX ux_jobs_dedupe ON jobs (type, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'failed', 'running');
