-- Customer orders from a machine's QR page, the payment providers' transactions for them (Payme, Click,
-- Uzum), every provider call we received with our answer, the vend commands machines long-poll for, and
-- an organization's own merchant accounts (secrets encrypted with VENDHUB_ENCRYPTION_KEY).
CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    slot_code TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    product_name TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    provider TEXT,
    client_addr TEXT,
    language TEXT,
    expires_at TIMESTAMP(6) NOT NULL,
    paid_at TIMESTAMP(6),
    dispensed_at TIMESTAMP(6),
    refunded_at TIMESTAMP(6),
    sale_id TEXT,
    reason TEXT,
    refund_requested_by TEXT REFERENCES users (id),
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX orders_org_created_idx ON orders (organization_id, created_at);
CREATE INDEX orders_machine_slot_status_idx ON orders (machine_id, slot_code, status);
CREATE INDEX orders_status_expires_idx ON orders (status, expires_at);

CREATE TABLE payment_transactions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL,
    provider_tx_id TEXT NOT NULL,
    state TEXT NOT NULL,
    amount BIGINT NOT NULL,
    provider_time BIGINT,
    create_time BIGINT NOT NULL,
    perform_time BIGINT,
    cancel_time BIGINT,
    reason BIGINT,
    prepare_id BIGINT,
    paydoc_id BIGINT,
    fiscal_data TEXT,
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL
);
CREATE UNIQUE INDEX payment_transactions_provider_tx_key ON payment_transactions (provider, provider_tx_id);
CREATE UNIQUE INDEX payment_transactions_prepare_key ON payment_transactions (prepare_id);
CREATE INDEX payment_transactions_order_idx ON payment_transactions (order_id);
CREATE INDEX payment_transactions_org_provider_time_idx ON payment_transactions (organization_id, provider, provider_time);
CREATE INDEX payment_transactions_org_created_idx ON payment_transactions (organization_id, created_at);

CREATE TABLE payment_calls (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    provider TEXT NOT NULL,
    method TEXT NOT NULL,
    order_id TEXT,
    provider_tx_id TEXT,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    http_status BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    received_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX payment_calls_order_idx ON payment_calls (order_id, received_at);
CREATE INDEX payment_calls_org_received_idx ON payment_calls (organization_id, received_at);

CREATE TABLE machine_commands (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    slot_code TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    expires_at TIMESTAMP(6) NOT NULL,
    sent_at TIMESTAMP(6),
    result_at TIMESTAMP(6),
    created_at TIMESTAMP(6) NOT NULL
);
CREATE UNIQUE INDEX machine_commands_order_key ON machine_commands (order_id);
CREATE INDEX machine_commands_machine_status_idx ON machine_commands (machine_id, status);
CREATE INDEX machine_commands_status_expires_idx ON machine_commands (status, expires_at);

CREATE TABLE payment_accounts (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    provider TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    service_id TEXT,
    secret_sealed TEXT NOT NULL,
    test_secret_sealed TEXT,
    merchant_user_id TEXT,
    test_mode BOOLEAN NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (organization_id, provider)
);

CREATE TABLE payment_counters (
    name TEXT PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);
