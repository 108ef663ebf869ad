-- Named planograms that new machines copy: slots as JSON (code, product, capacity, par level, price).
CREATE TABLE planogram_templates (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    slots TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX planogram_templates_org_name_key ON planogram_templates (organization_id, name);
