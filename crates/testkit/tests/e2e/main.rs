//! End-to-end tests: the real server over HTTP, on SQLite or (with `TEST_DATABASE_URL`) PostgreSQL.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the first surprise"
)]

mod auth;
mod contract;
mod edge;
mod fleet;
mod gateway;
mod health;
mod identity;
mod jobs;
mod memberships;
mod metrics;
mod payments;
mod problems;
mod realtime;
mod redis;
mod seed;
mod shutdown;
mod tasks;
mod tenancy;
