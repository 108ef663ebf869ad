-- Locations, machines, products and warehouses: the master data of a fleet (soft-deleted).
CREATE TABLE locations (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    contact_name TEXT,
    contact_phone TEXT,
    opening_hours TEXT,
    contract_type TEXT NOT NULL DEFAULT 'rent',
    rent_amount BIGINT NOT NULL DEFAULT 0,
    revenue_share_percent INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL,
    deleted_at TIMESTAMP(6)
);
CREATE INDEX locations_org_idx ON locations (organization_id);

CREATE TABLE machines (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    machine_type TEXT NOT NULL,
    model TEXT,
    serial_number TEXT,
    location_id TEXT REFERENCES locations (id),
    operator_id TEXT REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'active',
    accepted_payments TEXT NOT NULL DEFAULT '["cash"]',
    cash_capacity BIGINT NOT NULL DEFAULT 0,
    last_seen_at TIMESTAMP(6),
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL,
    deleted_at TIMESTAMP(6)
);
CREATE UNIQUE INDEX machines_org_number_key ON machines (organization_id, number);
CREATE INDEX machines_org_status_idx ON machines (organization_id, status);

CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    sku TEXT NOT NULL,
    barcode TEXT,
    name_uz TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT 'pcs',
    price BIGINT NOT NULL,
    cost BIGINT NOT NULL DEFAULT 0,
    vat_rate INTEGER NOT NULL DEFAULT 12,
    ikpu_code TEXT,
    package_code TEXT,
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL,
    deleted_at TIMESTAMP(6)
);
CREATE UNIQUE INDEX products_org_sku_key ON products (organization_id, sku);

CREATE TABLE warehouses (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL,
    deleted_at TIMESTAMP(6)
);
CREATE UNIQUE INDEX warehouses_org_name_key ON warehouses (organization_id, name);
