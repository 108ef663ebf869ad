-- The dashboard's and reports' sums over an organization's sales in a time range read only this index
-- (an index-only scan), not the table: it carries every column they group or add.
CREATE INDEX sales_org_sold_at_cover_idx
    ON sales (organization_id, sold_at, payment_method, product_id, quantity, amount);
DROP INDEX sales_org_sold_at_idx;
-- The cash a machine holds (its cash sales since its last collection) from one index range per machine.
CREATE INDEX sales_machine_method_sold_at_idx ON sales (machine_id, payment_method, sold_at, amount);
