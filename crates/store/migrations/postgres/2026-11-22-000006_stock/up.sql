-- Catalog categories and images, machine moves, planograms, and the stock ledger: movements (append-only)
-- with balances per (holder, product) kept in the same transaction, and stocktakes.
CREATE TABLE product_categories (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    deleted_at TIMESTAMP(6)
);
CREATE UNIQUE INDEX product_categories_org_name_key ON product_categories (organization_id, name);

ALTER TABLE products ADD COLUMN category_id TEXT REFERENCES product_categories (id);
ALTER TABLE products ADD COLUMN image_key TEXT;
CREATE UNIQUE INDEX products_org_barcode_key ON products (organization_id, barcode);

CREATE TABLE machine_moves (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    from_location_id TEXT REFERENCES locations (id),
    to_location_id TEXT REFERENCES locations (id),
    moved_by TEXT REFERENCES users (id),
    moved_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX machine_moves_machine_idx ON machine_moves (machine_id, moved_at);

CREATE TABLE planogram_slots (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    code TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    capacity BIGINT NOT NULL,
    par_level BIGINT NOT NULL,
    price BIGINT,
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL
);
CREATE UNIQUE INDEX planogram_slots_machine_code_key ON planogram_slots (machine_id, code);

CREATE TABLE stock_movements (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    from_holder TEXT,
    to_holder TEXT,
    quantity BIGINT NOT NULL,
    kind TEXT NOT NULL,
    unit_cost BIGINT NOT NULL DEFAULT 0,
    reason TEXT,
    reference_type TEXT,
    reference_id TEXT,
    actor_id TEXT REFERENCES users (id),
    at TIMESTAMP(6) NOT NULL
);
CREATE INDEX stock_movements_org_at_idx ON stock_movements (organization_id, at);
CREATE INDEX stock_movements_product_idx ON stock_movements (organization_id, product_id, at);

CREATE TABLE stock_balances (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    holder TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL,
    avg_cost BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (organization_id, holder, product_id),
    CHECK (quantity >= 0)
);
CREATE INDEX stock_balances_holder_idx ON stock_balances (organization_id, holder);

CREATE TABLE stocktakes (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    holder TEXT NOT NULL,
    status TEXT NOT NULL,
    started_by TEXT REFERENCES users (id),
    started_at TIMESTAMP(6) NOT NULL,
    closed_at TIMESTAMP(6)
);

CREATE TABLE stocktake_lines (
    stocktake_id TEXT NOT NULL REFERENCES stocktakes (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    counted BIGINT NOT NULL,
    counted_by TEXT REFERENCES users (id),
    PRIMARY KEY (stocktake_id, product_id)
);
