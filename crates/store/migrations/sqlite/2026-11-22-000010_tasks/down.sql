ALTER TABLE stocktakes DROP COLUMN task_id;
DROP TABLE cash_collections;
DROP TABLE task_photos;
DROP TABLE task_checklist;
DROP TABLE task_comments;
DROP TABLE task_items;
DROP TABLE tasks;
DROP TABLE task_counters;
