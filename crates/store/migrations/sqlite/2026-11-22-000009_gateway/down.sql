DROP TABLE dex_audits;
DROP TABLE gateway_events;
DROP TABLE machine_api_keys;
