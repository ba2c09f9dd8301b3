-- Postgres schema, version 20 (issue 24, scenario graphs; docs/adr/0053).
-- scenarios: the current state of each scenario, in the shared document shape (parent_id: its world).
-- scenario_versions: every save whose content changed, immutable; number counts from 1 per scenario.
-- scenario_shares: share links; only the SHA-256 of the token is kept, the password as a PBKDF2 hash.
CREATE TABLE scenarios (
    id TEXT COLLATE "C" PRIMARY KEY,
    owner_id TEXT COLLATE "C" NOT NULL,
    parent_id TEXT COLLATE "C",
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    summary TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX ix_scenarios_scope ON scenarios (owner_id, parent_id, id);
CREATE INDEX ix_scenarios_deleted ON scenarios (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE scenario_versions (
    scenario_id TEXT COLLATE "C" NOT NULL,
    number INTEGER NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scenario_id, number)
);
CREATE INDEX ix_scenario_versions_owner ON scenario_versions (owner_id);

CREATE TABLE scenario_shares (
    id TEXT COLLATE "C" PRIMARY KEY,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    scenario_id TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    password_hash TEXT,
    expires_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ix_scenario_shares_scenario ON scenario_shares (owner_id, scenario_id);
