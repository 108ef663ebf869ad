DROP TABLE payment_key_overrides;
