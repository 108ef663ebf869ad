-- Field tasks with their items, comments, checklist and photo proof; task numbers from a per-organization
-- counter; cash collections with expected (cash sales since the previous collection) and over/short.
CREATE TABLE task_counters (
    organization_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    last_number BIGINT NOT NULL
);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    number TEXT NOT NULL,
    task_type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    machine_id TEXT NOT NULL REFERENCES machines (id),
    assignee_id TEXT REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT,
    due_at TIMESTAMP(6),
    requires_photos BOOLEAN NOT NULL,
    status_reason TEXT,
    started_at TIMESTAMP(6),
    completed_at TIMESTAMP(6),
    completed_by TEXT REFERENCES users (id),
    escalated_at TIMESTAMP(6),
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL
);
CREATE UNIQUE INDEX tasks_org_number_key ON tasks (organization_id, number);
CREATE INDEX tasks_org_status_idx ON tasks (organization_id, status);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status);
CREATE INDEX tasks_machine_idx ON tasks (machine_id, task_type, status);

CREATE TABLE task_items (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    slot_code TEXT,
    planned_qty BIGINT NOT NULL,
    actual_qty BIGINT
);
CREATE INDEX task_items_task_idx ON task_items (task_id);

CREATE TABLE task_comments (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks (id),
    author_id TEXT REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at);

CREATE TABLE task_checklist (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks (id),
    position BIGINT NOT NULL,
    label TEXT NOT NULL,
    done BOOLEAN NOT NULL,
    done_by TEXT REFERENCES users (id),
    done_at TIMESTAMP(6)
);
CREATE INDEX task_checklist_task_idx ON task_checklist (task_id, position);

CREATE TABLE task_photos (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    task_id TEXT NOT NULL REFERENCES tasks (id),
    category TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    uploaded_by TEXT REFERENCES users (id),
    taken_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX task_photos_task_idx ON task_photos (task_id, taken_at);

CREATE TABLE cash_collections (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    machine_id TEXT NOT NULL REFERENCES machines (id),
    operator_id TEXT REFERENCES users (id),
    task_id TEXT REFERENCES tasks (id),
    counted BIGINT NOT NULL,
    expected BIGINT NOT NULL,
    over_short BIGINT NOT NULL,
    bag_number TEXT,
    period_from TIMESTAMP(6),
    collected_at TIMESTAMP(6) NOT NULL,
    confirmed_by TEXT REFERENCES users (id),
    confirmed_at TIMESTAMP(6),
    reversed_at TIMESTAMP(6)
);
CREATE INDEX cash_collections_org_idx ON cash_collections (organization_id, collected_at);
CREATE INDEX cash_collections_machine_idx ON cash_collections (machine_id, collected_at);
CREATE UNIQUE INDEX cash_collections_task_key ON cash_collections (task_id);

-- An audit task counts its machine through stocktakes; they name the task so a rejection can reverse them.
ALTER TABLE stocktakes ADD COLUMN task_id TEXT;
