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
    /// A business rule refused the request (HTTP 422): which rule, and what to tell the person.
    #[error("{1}")]
    Rule(Rule, String),
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
            Self::Rule(rule, _) => rule.code(),
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

/// Every business rule that can refuse a request, each with the stable `snake_case` code a client
/// branches on (the problem's `code`, and its `type` URI). Listed in the OpenAPI document's `Problem`
/// schema and in `docs/errors.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The holder has fewer units than the movement takes.
    InsufficientStock,
    /// The slot would hold more than its capacity.
    SlotOverCapacity,
    /// A quantity or value would be too large to store.
    QuantityOverflow,
    /// Stock cannot move between these kinds of holders (DOMAIN's routes).
    RouteNotAllowed,
    /// A slot still holds stock of its product.
    SlotHoldsStock,
    /// A warehouse still holds stock.
    WarehouseHoldsStock,
    /// Machines still stand at the location.
    LocationHasMachines,
    /// The machine is at that location already.
    MachineAlreadyThere,
    /// A task that needs photos lacks its before or after photo.
    PhotoProofMissing,
    /// A completion names an item that is not the task's, or one twice.
    TaskItemInvalid,
    /// A stocktake's counts cannot be booked.
    StocktakeInvalid,
    /// A pick list that cannot be made (quantities too large).
    PickListInvalid,
    /// A person may not change their own role.
    OwnRoleChange,
    /// A person may not remove themself.
    SelfRemoval,
    /// The name is the person's: another organization shows it too.
    SharedAccount,
    /// The password reset token is invalid, used or expired.
    ResetTokenInvalid,
    /// Two-factor authentication is not set up (setup not started, or no secret).
    TwoFactorNotSetUp,
    /// The installation has no organization yet.
    NoOrganization,
}

impl Rule {
    /// Every rule, in the order the documentation lists them.
    pub const ALL: [Self; 18] = [
        Self::InsufficientStock,
        Self::SlotOverCapacity,
        Self::QuantityOverflow,
        Self::RouteNotAllowed,
        Self::SlotHoldsStock,
        Self::WarehouseHoldsStock,
        Self::LocationHasMachines,
        Self::MachineAlreadyThere,
        Self::PhotoProofMissing,
        Self::TaskItemInvalid,
        Self::StocktakeInvalid,
        Self::PickListInvalid,
        Self::OwnRoleChange,
        Self::SelfRemoval,
        Self::SharedAccount,
        Self::ResetTokenInvalid,
        Self::TwoFactorNotSetUp,
        Self::NoOrganization,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::InsufficientStock => "insufficient_stock",
            Self::SlotOverCapacity => "slot_over_capacity",
            Self::QuantityOverflow => "quantity_overflow",
            Self::RouteNotAllowed => "route_not_allowed",
            Self::SlotHoldsStock => "slot_holds_stock",
            Self::WarehouseHoldsStock => "warehouse_holds_stock",
            Self::LocationHasMachines => "location_has_machines",
            Self::MachineAlreadyThere => "machine_already_there",
            Self::PhotoProofMissing => "photo_proof_missing",
            Self::TaskItemInvalid => "task_item_invalid",
            Self::StocktakeInvalid => "stocktake_invalid",
            Self::PickListInvalid => "pick_list_invalid",
            Self::OwnRoleChange => "own_role_change",
            Self::SelfRemoval => "self_removal",
            Self::SharedAccount => "shared_account",
            Self::ResetTokenInvalid => "reset_token_invalid",
            Self::TwoFactorNotSetUp => "two_factor_not_set_up",
            Self::NoOrganization => "no_organization",
        }
    }

    /// A refusal by this rule, saying `detail`.
    pub fn refuse(self, detail: impl Into<String>) -> AppError {
        AppError::Rule(self, detail.into())
    }
}

impl AppError {
    /// Every code [`AppError::code`] can answer.
    pub fn codes() -> Vec<&'static str> {
        let mut all = vec![
            "validation_failed",
            "not_found",
            "conflict",
            "unauthorized",
            "forbidden",
            "rate_limited",
            "locked",
            "invalid_code",
            "payload_too_large",
            "unsupported_media_type",
            "service_unavailable",
            "internal_error",
        ];
        all.extend(Rule::ALL.iter().map(|r| r.code()));
        all
    }

    /// Maps a store error, telling a unique-constraint conflict as `message` (`"email: already in use"`):
    /// `store_call(c, …).map_err(AppError::conflict_as("…"))?`.
    pub fn conflict_as(message: &str) -> impl FnOnce(StoreError) -> Self + '_ {
        move |e| match e {
            StoreError::Conflict(_) => Self::Conflict(message.to_owned()),
            other => other.into(),
        }
    }
}

/// A diesel error inside a transaction that [`crate::App::write`] runs: the store's mapping, then ours.
impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        StoreError::from(err).into()
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound | StoreError::OutOfScope => Self::NotFound,
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

#[cfg(test)]
mod code_list_tests {
    use super::{AppError, Rule};

    /// `codes()` is written out beside `code()`: every variant's code must be in it, so the documented
    /// list cannot fall behind.
    #[test]
    fn the_code_list_holds_every_variants_code() {
        let every = [
            AppError::Validation(Vec::new()),
            AppError::NotFound,
            AppError::Conflict(String::new()),
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::RateLimited { retry_after_secs: 1 },
            AppError::Locked { retry_after_secs: 1 },
            AppError::InvalidCode,
            AppError::TooLarge { limit: 1 },
            AppError::UnsupportedType(String::new()),
            AppError::Unavailable(String::new()),
            AppError::Internal(String::new()),
        ]
        .into_iter()
        .chain(Rule::ALL.map(|r| r.refuse("")));
        let codes = AppError::codes();
        for e in every {
            // A new variant makes this match fail to compile until it is listed above.
            match &e {
                AppError::Validation(_)
                | AppError::NotFound
                | AppError::Conflict(_)
                | AppError::Unauthorized
                | AppError::Forbidden
                | AppError::Rule(..)
                | AppError::RateLimited { .. }
                | AppError::Locked { .. }
                | AppError::InvalidCode
                | AppError::TooLarge { .. }
                | AppError::UnsupportedType(_)
                | AppError::Unavailable(_)
                | AppError::Internal(_) => {}
            }
            assert!(
                codes.contains(&e.code()),
                "{} is not in AppError::codes()",
                e.code()
            );
        }
        assert_eq!(
            codes.len(),
            12 + Rule::ALL.len(),
            "no code listed twice or made up"
        );
    }
}
