-- A key Payme set with ChangePassword for the installation's own merchant account (the PAYME_* variables
-- cannot be rewritten by the server): it replaces the configured key that was current when it was set.
CREATE TABLE payment_key_overrides (
    provider TEXT NOT NULL,
    -- Which configured key it replaces: `secret` or `test_secret`.
    which TEXT NOT NULL,
    -- The new key, sealed with VENDHUB_ENCRYPTION_KEY.
    secret_sealed TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, which)
);
