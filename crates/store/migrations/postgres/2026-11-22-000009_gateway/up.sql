-- Machines talking: their API keys, the gateway events they sent (idempotent by machine and event id) and
-- their DEX audits (each keeps its counters as the baseline of the next one).
CREATE TABLE machine_api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    label TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP(6) NOT NULL,
    last_used_at TIMESTAMP(6),
    revoked_at TIMESTAMP(6)
);
CREATE UNIQUE INDEX machine_api_keys_prefix_key ON machine_api_keys (prefix);
CREATE INDEX machine_api_keys_machine_idx ON machine_api_keys (machine_id);

CREATE TABLE gateway_events (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP(6),
    received_at TIMESTAMP(6) NOT NULL
);
CREATE UNIQUE INDEX gateway_events_machine_event_key ON gateway_events (machine_id, event_id);
CREATE INDEX gateway_events_machine_kind_idx ON gateway_events (machine_id, kind, received_at);

CREATE TABLE dex_audits (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    counters TEXT NOT NULL,
    summary TEXT NOT NULL,
    expected_cash BIGINT,
    received_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX dex_audits_machine_received_idx ON dex_audits (machine_id, received_at);
