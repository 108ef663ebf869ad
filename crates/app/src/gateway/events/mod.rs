//! `POST /api/v1/gateway/events`: a machine's batch of heartbeats, telemetry, vends and errors.
//!
//! A batch is taken whole or refused whole: every event is checked first, and one bad event refuses the
//! batch with each bad event's index and reason. Events are idempotent by (machine, event id): a repeat
//! is answered as a duplicate and changes nothing. A vend records a sale (source `telemetry`) and posts a
//! `sale` movement out of its slot in the same transaction; a vend from a slot the ledger says is empty
//! is still recorded, flagged `empty_slot`, with a shrink adjustment so the balance stays at zero.
//!
//! `check` reads and checks the events on their own; `ingest` checks the vends against the planogram and
//! writes the batch; this module holds the event and batch types.

mod check;
mod ingest;

pub use check::parse;
pub use ingest::ingest;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vendhub_store::StoreError;

use crate::AppError;
use crate::error::FieldError;

/// The most events one batch may carry.
pub const MAX_BATCH: usize = 1000;

/// What became of an event: `new`, or `duplicate` (seen before: nothing was done again).
pub const OUTCOMES: [&str; 2] = ["new", "duplicate"];

/// Payment methods a vend may name.
pub const PAYMENT_METHODS: [&str; 8] = [
    "cash", "card", "payme", "click", "uzum", "telegram", "free", "test",
];

/// A door's state as telemetry reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    Open,
    Closed,
}

/// One event of a batch. `id` is the machine's own id of the event (unique per machine); `at` when it
/// happened (RFC 3339; the time of receipt when left out).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GatewayEvent {
    Heartbeat {
        id: String,
        at: Option<DateTime<Utc>>,
    },
    Telemetry {
        id: String,
        at: Option<DateTime<Utc>>,
        /// Degrees Celsius.
        temperature: Option<f64>,
        /// Relative humidity, percent.
        humidity: Option<f64>,
        door: Option<Door>,
        /// Signal strength, dBm.
        signal: Option<i32>,
        #[serde(default)]
        error_codes: Vec<String>,
    },
    Vend {
        id: String,
        at: Option<DateTime<Utc>>,
        slot: String,
        /// When given, must be the slot's product.
        product_id: Option<String>,
        /// Tiyin charged.
        price: i64,
        payment_method: String,
    },
    Error {
        id: String,
        at: Option<DateTime<Utc>>,
        code: String,
        message: Option<String>,
    },
}

impl GatewayEvent {
    pub fn id(&self) -> &str {
        match self {
            Self::Heartbeat { id, .. }
            | Self::Telemetry { id, .. }
            | Self::Vend { id, .. }
            | Self::Error { id, .. } => id,
        }
    }

    fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Heartbeat { at, .. }
            | Self::Telemetry { at, .. }
            | Self::Vend { at, .. }
            | Self::Error { at, .. } => *at,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Heartbeat { .. } => "heartbeat",
            Self::Telemetry { .. } => "telemetry",
            Self::Vend { .. } => "vend",
            Self::Error { .. } => "error",
        }
    }
}

/// A batch as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Batch {
    /// The machine the events are from: the key's machine.
    pub machine_id: String,
    /// Up to 1,000 events.
    #[schema(value_type = Vec<GatewayEvent>)]
    pub events: Vec<serde_json::Value>,
}

/// What happened to one event.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventOutcome {
    pub index: usize,
    pub id: String,
    /// `new`, or `duplicate` (seen before: nothing was done again).
    pub status: &'static str,
}

/// The answer to an accepted batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchReport {
    pub machine_id: String,
    pub received: usize,
    pub new: usize,
    pub duplicates: usize,
    /// Sales recorded from this batch's vends.
    pub sales: usize,
    pub events: Vec<EventOutcome>,
}

/// Why a batch was refused.
#[derive(Debug)]
pub enum IngestError {
    /// More than [`MAX_BATCH`] events (413).
    TooMany {
        count: usize,
    },
    /// Events that are malformed or break a rule, each named `events[i]` (422); nothing was written.
    Invalid(Vec<FieldError>),
    App(AppError),
}

impl From<AppError> for IngestError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        Self::App(e.into())
    }
}
