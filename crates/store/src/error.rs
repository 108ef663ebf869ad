//! The store's error type: what a repository call can fail with.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("{0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("a unique value is already taken: {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    /// A row of another organization than the call's tenant scope (never shown as such: it is a 404).
    #[error("the row belongs to another organization")]
    OutOfScope,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database task was cancelled")]
    Cancelled,
}

impl StoreError {
    /// A write that referred to a row that does not exist (a foreign key).
    pub fn is_foreign_key_violation(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(
            self,
            Self::Query(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _))
        )
    }

    /// Maps a unique-constraint violation to `Conflict` naming the constraint, anything else to `Query`.
    pub fn from_write(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.constraint_name().unwrap_or(info.message()).to_owned())
            }
            other => Self::Query(other),
        }
    }
}
