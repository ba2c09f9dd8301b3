-- SQLite schema, version 17 (issue 21, several nodes on one database; docs/adr/0047).
-- narration_leases: which node narrates which adventure, while it does; the node's heartbeat moves expires_at
-- (Unix milliseconds). A row past it belongs to a node that died: its turn is marked interrupted and the row removed.
-- finished_at: set when the narration ended; the row stays a little longer (TurnRegistry.Linger) so a player who
-- re-attaches through another node just after the end is still sent the narrating node's tokens and outcome, and a
-- finished row never holds the adventure back. SQLite runs one node and leaves the table empty.
CREATE TABLE narration_leases (
    adventure_id TEXT PRIMARY KEY,
    turn_id TEXT NOT NULL,
    alternative INTEGER NOT NULL,
    owner_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX ix_narration_leases_node ON narration_leases (node_id);
CREATE INDEX ix_narration_leases_expires ON narration_leases (expires_at);

-- rate_windows: the shared fixed-window counters of the rate limits when nodes share PostgreSQL without Redis.
-- limit_key is a SHA-256 of the policy, the limit and the caller (no user id or address in the clear);
-- window_start is the window's first millisecond. Rows of windows long past are dropped as new ones start.
CREATE TABLE rate_windows (
    limit_key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX ix_rate_windows_start ON rate_windows (window_start);
