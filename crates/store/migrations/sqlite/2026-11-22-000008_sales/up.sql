-- Sales as the machines, DEX audits, orders and imports report them, and when a machine was last refilled
-- and collected. A sale is unique by (machine, source, source id): a repeated report is ignored.
CREATE TABLE sales (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    slot_code TEXT,
    product_id TEXT REFERENCES products (id),
    unit_price BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    payment_method TEXT NOT NULL,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    flag TEXT,
    sold_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sales_machine_source_key ON sales (machine_id, source, source_id);
CREATE INDEX sales_org_sold_at_idx ON sales (organization_id, sold_at);
CREATE INDEX sales_machine_sold_at_idx ON sales (machine_id, sold_at);

ALTER TABLE machines ADD COLUMN last_refill_at TIMESTAMP;
ALTER TABLE machines ADD COLUMN last_collection_at TIMESTAMP;
