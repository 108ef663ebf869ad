ALTER TABLE machines DROP COLUMN last_collection_at;
ALTER TABLE machines DROP COLUMN last_refill_at;
DROP TABLE sales;
