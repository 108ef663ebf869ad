-- Durable background jobs, enqueued in the transaction of the change that causes them.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at TIMESTAMP(6) NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP(6),
    last_error TEXT,
    dedupe_key TEXT,
    organization_id TEXT REFERENCES organizations (id),
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL,
    finished_at TIMESTAMP(6)
);
CREATE INDEX jobs_due_idx ON jobs (state, run_at);
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key);
