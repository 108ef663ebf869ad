//! VendHub's persistence: one diesel connection type over SQLite and PostgreSQL, embedded migrations,
//! and repositories per area. Every function here is blocking; `Db::run` moves it to tokio's blocking pool.

pub mod audit;
pub mod backup_codes;
pub mod cash_collections;
pub mod categories;
pub mod connection;
pub mod dashboard;
pub mod error;
pub mod gateway;
pub mod invites;
pub mod jobs;
pub mod leader;
pub mod locations;
pub mod machine_commands;
pub mod machine_keys;
pub mod machine_moves;
pub mod machines;
pub mod migrations;
pub mod orders;
pub mod organizations;
pub mod password_resets;
pub mod payment_keys;
pub mod payments;
pub mod planograms;
pub mod portable;
pub mod products;
pub mod sales;
pub mod schema;
pub mod schema_introspection;
pub mod scope;
pub mod sessions;
pub mod stock;
pub mod stocktakes;
pub mod tasks;
#[cfg(feature = "test-db")]
pub mod test_db;
pub mod users;
pub mod warehouses;
pub mod whole_database;

pub use connection::{Backend, Db, DbConn, DbOptions, DbUrl, PoolStatus, write};
pub use error::StoreError;
pub use scope::TenantScope;

/// The current time as stored: UTC, microsecond precision (what both backends keep).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
