//! Embedded migrations per backend (`migrations/sqlite`, `migrations/postgres`): run, revert, show.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::DbConn;
use crate::error::StoreError;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One migration and whether it has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: String,
    pub applied: bool,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Migration(e.to_string())
}

/// Applies every pending migration; returns the versions applied now.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let done = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map_err(err)?,
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES).map_err(err)?,
    };
    Ok(done.iter().map(ToString::to_string).collect())
}

/// Reverts the most recently applied migration; `None` when nothing is applied.
pub fn revert_last(conn: &mut DbConn) -> Result<Option<String>, StoreError> {
    if applied(conn)?.is_empty() {
        return Ok(None);
    }
    let version = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE).map_err(err)?,
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES).map_err(err)?,
    };
    Ok(Some(version.to_string()))
}

/// Reverts every applied migration, newest first.
pub fn revert_all(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let done = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE).map_err(err)?,
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES).map_err(err)?,
    };
    Ok(done.iter().map(ToString::to_string).collect())
}

fn applied(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let v = match conn {
        DbConn::Sqlite(c) => c.applied_migrations().map_err(err)?,
        DbConn::Postgres(c) => c.applied_migrations().map_err(err)?,
    };
    Ok(v.iter().map(ToString::to_string).collect())
}

/// Every migration this binary knows, oldest first, with whether it is applied.
pub fn status(conn: &mut DbConn) -> Result<Vec<MigrationStatus>, StoreError> {
    let applied = applied(conn)?;
    let pending: Vec<String> = match conn {
        DbConn::Sqlite(c) => c
            .pending_migrations(SQLITE)
            .map_err(err)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        DbConn::Postgres(c) => c
            .pending_migrations(POSTGRES)
            .map_err(err)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    let mut all: Vec<MigrationStatus> = applied
        .into_iter()
        .map(|version| MigrationStatus {
            version,
            applied: true,
        })
        .chain(pending.into_iter().map(|version| MigrationStatus {
            version,
            applied: false,
        }))
        .collect();
    all.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(all)
}

/// The newest migration version this binary ships (the schema version of a backup).
pub fn latest_known(conn: &mut DbConn) -> Result<Option<String>, StoreError> {
    Ok(status(conn)?.into_iter().map(|m| m.version).max())
}

/// The versions of every migration this binary ships for `backend`, oldest first (no connection needed).
pub fn known_versions(backend: crate::connection::Backend) -> Result<Vec<String>, StoreError> {
    use diesel::migration::MigrationSource;
    let mut v: Vec<String> = match backend {
        crate::connection::Backend::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE)
            .map_err(err)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        crate::connection::Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES)
            .map_err(err)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    v.sort();
    Ok(v)
}
