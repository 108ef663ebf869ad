//! `AppError`: the one error type of the use cases, with a stable `snake_case` code for clients.

use vendhub_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that is not acceptable; each entry names a field.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    /// A business rule refused the request (HTTP 422).
    #[error("{0}")]
    Rule(String),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// Too many failed attempts: the account (or its 2FA) is locked for a while.
    #[error("locked after too many failed attempts")]
    Locked { retry_after_secs: u64 },
    /// A body over the size limit (HTTP 413).
    #[error("too large (limit {limit} bytes)")]
    TooLarge { limit: u64 },
    /// A body of a kind we do not take (HTTP 415).
    #[error("{0}")]
    UnsupportedType(String),
    /// A wrong, expired or already used second-factor code.
    #[error("invalid code")]
    InvalidCode,
    /// A dependency (database, cache) is not available.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Something broke inside; the text is logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One invalid field and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl AppError {
    /// The stable code clients can match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Rule(_) => "business_rule_violated",
            Self::RateLimited { .. } => "rate_limited",
            Self::Locked { .. } => "locked",
            Self::InvalidCode => "invalid_code",
            Self::TooLarge { .. } => "payload_too_large",
            Self::UnsupportedType(_) => "unsupported_media_type",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(what) => Self::Conflict(format!("already exists ({what})")),
            StoreError::Pool(e) => Self::Unavailable(format!("database: {e}")),
            StoreError::Connect(e) => Self::Unavailable(format!("database: {e}")),
            // A safety net: every id a request carries is checked in its organization before the write,
            // so this is a reference that vanished meanwhile. It is the caller's input, not our fault.
            fk if fk.is_foreign_key_violation() => Self::Validation(vec![FieldError::new(
                "body",
                "refers to a record that does not exist",
            )]),
            other => Self::internal(other),
        }
    }
}
