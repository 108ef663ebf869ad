//! The one entry point to the stock ledger. Every movement — a purchase, transfer or write-off from the
//! API, a refill or unload of a task, a sale through the gateway, a stocktake's adjustment, a rejected
//! task's reversal, soon a customer order — is a [`Movement`] posted with [`post`] in the caller's write
//! transaction and tenant scope. A movement's [`Route`] is checked when it is made (the domain's
//! `validate_route`), the balance rule (`stock::apply`) runs on the balances the store reads, and a
//! refusal is a [`LedgerError::Refused`] that maps to one `AppError` here.

use vendhub_domain::ids::{ProductId, UserId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::{
    Holder, MovementKind, Qty, StockError, WriteOffReason, validate_reason, validate_route,
};
use vendhub_store::stock::{self, MovementRow, NewMovement};
use vendhub_store::{DbConn, StoreError, TenantScope, planograms, users, warehouses};

use crate::AppError;
use crate::error::{FieldError, Rule};

/// Where a movement of a kind goes: a route the domain allows, so a movement cannot be made on another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    kind: MovementKind,
    from: Option<Holder>,
    to: Option<Holder>,
}

impl Route {
    /// `kind` from `from` to `to` (`None`: outside the ledger), refused when the domain does not allow it.
    pub fn new(kind: MovementKind, from: Option<Holder>, to: Option<Holder>) -> Result<Self, StockError> {
        validate_route(kind, from.as_ref(), to.as_ref())?;
        Ok(Self { kind, from, to })
    }

    /// The route of moving stock between two holders, the kind following from them (a refill from an
    /// operator into a slot, an unload back, a return from an operator to a warehouse, else a transfer).
    pub fn between(from: Holder, to: Holder) -> Result<Self, StockError> {
        let kind = match (&from, &to) {
            (Holder::Operator(_), Holder::Slot { .. }) => MovementKind::Refill,
            (Holder::Slot { .. }, Holder::Operator(_)) => MovementKind::Unload,
            (Holder::Operator(_), Holder::Warehouse(_)) => MovementKind::Return,
            _ => MovementKind::Transfer,
        };
        Self::new(kind, Some(from), Some(to))
    }

    /// The route back: from where this one went to where it came from. A refill comes back as an unload;
    /// other kinds keep theirs (an adjustment in goes out as an adjustment).
    pub fn reversed(&self) -> Result<Self, StockError> {
        let kind = match self.kind {
            MovementKind::Refill => MovementKind::Unload,
            other => other,
        };
        Self::new(kind, self.to.clone(), self.from.clone())
    }

    pub fn kind(&self) -> MovementKind {
        self.kind
    }

    pub fn from(&self) -> Option<&Holder> {
        self.from.as_ref()
    }

    pub fn to(&self) -> Option<&Holder> {
        self.to.as_ref()
    }
}

/// Why a movement was made, as stored with it. Only a write-off's reason is one the API takes
/// (`validate_reason`); the others are the ledger's own notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    WriteOff(WriteOffReason),
    /// A stocktake counted less than the ledger said.
    Shortage,
    /// A stocktake counted more than the ledger said.
    Surplus,
    /// A vend from a slot the ledger said was empty: the unit it sold is brought in first.
    Shrink,
    /// The reversal of what a rejected task posted.
    TaskRejected,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WriteOff(r) => r.as_str(),
            Self::Shortage => "shortage",
            Self::Surplus => "surplus",
            Self::Shrink => "shrink",
            Self::TaskRejected => "task rejected",
        }
    }

    fn write_off(self) -> Option<WriteOffReason> {
        match self {
            Self::WriteOff(r) => Some(r),
            _ => None,
        }
    }
}

/// What a movement was posted for (a task, a stocktake, a sale, the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Task(String),
    Stocktake(String),
    Sale(String),
    Demo,
}

impl Reference {
    fn parts(&self) -> (String, Option<String>) {
        match self {
            Self::Task(id) => ("task".into(), Some(id.clone())),
            Self::Stocktake(id) => ("stocktake".into(), Some(id.clone())),
            Self::Sale(id) => ("sale".into(), Some(id.clone())),
            Self::Demo => ("demo".into(), None),
        }
    }
}

/// A movement to post: a route, a product and a quantity, with what else the ledger records.
#[derive(Debug, Clone)]
pub struct Movement {
    route: Route,
    product: ProductId,
    qty: Qty,
    at: chrono::NaiveDateTime,
    unit_cost: Tiyin,
    reason: Option<Reason>,
    reference: Option<Reference>,
    actor: Option<UserId>,
    capacity: Option<Qty>,
}

impl Movement {
    /// `qty` of `product` along `route`, at `at`.
    pub fn new(route: Route, product: ProductId, qty: Qty, at: chrono::NaiveDateTime) -> Self {
        Self {
            route,
            product,
            qty,
            at,
            unit_cost: Tiyin::new(0),
            reason: None,
            reference: None,
            actor: None,
            capacity: None,
        }
    }

    /// The unit cost of stock coming from outside (a purchase's price, a surplus at average cost).
    #[must_use]
    pub fn cost(self, unit_cost: Tiyin) -> Self {
        Self { unit_cost, ..self }
    }

    #[must_use]
    pub fn reason(self, reason: Reason) -> Self {
        Self {
            reason: Some(reason),
            ..self
        }
    }

    #[must_use]
    pub fn reference(self, reference: Reference) -> Self {
        Self {
            reference: Some(reference),
            ..self
        }
    }

    /// Who posted it.
    #[must_use]
    pub fn by(self, actor: Option<UserId>) -> Self {
        Self { actor, ..self }
    }

    /// The receiving slot holds at most `capacity` (a stored capacity; below zero holds nothing).
    /// Without it the capacity is not checked (a stocktake books what was counted).
    #[must_use]
    pub fn into_capacity(self, capacity: Option<i64>) -> Self {
        Self {
            capacity: capacity.map(|c| Qty::new(c).unwrap_or(Qty::ZERO)),
            ..self
        }
    }

    pub fn route(&self) -> &Route {
        &self.route
    }
}

/// Why [`post`] wrote nothing.
#[derive(Debug)]
pub enum LedgerError {
    /// The ledger's rules refused the movement: not enough stock, a slot over capacity, a reason that
    /// does not belong, a number too large.
    Refused(Box<Refusal>),
    Store(StoreError),
}

/// A refusal, and the receiving holder (an overflow is its).
#[derive(Debug)]
pub struct Refusal {
    pub error: StockError,
    pub to: Option<Holder>,
}

impl From<StoreError> for LedgerError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl From<LedgerError> for AppError {
    fn from(err: LedgerError) -> Self {
        let (error, to) = match err {
            LedgerError::Store(e) => return e.into(),
            LedgerError::Refused(refusal) => (refusal.error, refusal.to),
        };
        let to = to.map(|h| h.to_string()).unwrap_or_default();
        match error {
            StockError::Insufficient {
                holder,
                available,
                requested,
            } => AppError::Rule(
                Rule::InsufficientStock,
                format!("{holder} holds {available} of this product; {requested} cannot be moved"),
            ),
            StockError::OverCapacity {
                slot,
                capacity,
                would_be,
            } => AppError::Rule(
                Rule::SlotOverCapacity,
                format!("{slot} holds at most {capacity}; this movement would make it {would_be}"),
            ),
            StockError::QtyOverflow | StockError::Money(_) | StockError::NegativeQty(_) => {
                Rule::QuantityOverflow.refuse(format!("the quantity or value at {to} would be too large"))
            }
            e @ (StockError::Route { .. } | StockError::SameHolder(_)) => {
                Rule::RouteNotAllowed.refuse(e.to_string())
            }
            e @ (StockError::ReasonRequired | StockError::ReasonNotAllowed(_)) => {
                AppError::Validation(vec![FieldError::new("reason", e.to_string())])
            }
            e @ StockError::QtyNotPositive(_) => {
                AppError::Validation(vec![FieldError::new("quantity", e.to_string())])
            }
            e @ (StockError::InvalidSlotCode(_)
            | StockError::InvalidHolder(_)
            | StockError::UnknownKind(_)
            | StockError::UnknownReason(_)
            | StockError::DuplicateCount(_)) => AppError::internal(e),
        }
    }
}

/// Posts one movement in the caller's write transaction, within `scope`: the reason must fit the kind,
/// the balances must allow it; the movement and both balances are written together, or nothing.
pub fn post(c: &mut DbConn, scope: &TenantScope, m: &Movement) -> Result<MovementRow, LedgerError> {
    let refused = |error| {
        LedgerError::Refused(Box::new(Refusal {
            error,
            to: m.route.to.clone(),
        }))
    };
    validate_reason(m.route.kind, m.reason.and_then(Reason::write_off)).map_err(refused)?;
    let (reference_type, reference_id) = m.reference.as_ref().map(Reference::parts).unzip();
    let new = NewMovement {
        kind: m.route.kind,
        product: m.product,
        from: m.route.from.clone(),
        to: m.route.to.clone(),
        qty: m.qty,
        unit_cost: m.unit_cost,
        reason: m.reason.map(|r| r.as_str().to_owned()),
        reference_type,
        reference_id: reference_id.flatten(),
        actor: m.actor,
        at: m.at,
        to_capacity: m.capacity,
    };
    stock::post(c, scope, &new)?.map_err(refused)
}

/// Whether a holder exists in the organization (`Err` names why not).
pub(crate) fn holder_exists(conn: &mut DbConn, scope: &TenantScope, h: &Holder) -> Result<(), AppError> {
    check_holder(conn, scope, h).map(|_| ())
}

/// The holder exists in the organization; a slot answers its capacity.
pub(crate) fn check_holder(
    conn: &mut DbConn,
    scope: &TenantScope,
    h: &Holder,
) -> Result<Option<i64>, AppError> {
    match h {
        Holder::Warehouse(id) => warehouses::get(conn, scope, &id.to_string())?
            .map(|_| None)
            .ok_or(AppError::NotFound),
        Holder::Operator(id) => users::role_in(conn, scope, *id)?
            .map(|_| None)
            .ok_or(AppError::NotFound),
        Holder::Slot { machine, slot } => planograms::slot(conn, scope, &machine.to_string(), slot.as_str())?
            .map(|s| Some(s.capacity))
            .ok_or(AppError::NotFound),
    }
}
