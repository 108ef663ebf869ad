DROP INDEX sales_machine_method_sold_at_idx;
CREATE INDEX sales_org_sold_at_idx ON sales (organization_id, sold_at);
DROP INDEX sales_org_sold_at_cover_idx;
