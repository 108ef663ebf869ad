//! `POST /api/v1/gateway/events`: a machine's batch of heartbeats, telemetry, vends and errors.
//!
//! A batch is taken whole or refused whole: every event is checked first, and one bad event refuses the
//! batch with each bad event's index and reason. Events are idempotent by (machine, event id): a repeat
//! is answered as a duplicate and changes nothing. A vend records a sale (source `telemetry`) and posts a
//! `sale` movement out of its slot in the same transaction; a vend from a slot the ledger says is empty
//! is still recorded, flagged `empty_slot`, with a shrink adjustment so the balance stays at zero.

use std::collections::HashMap;
use vendhub_domain::machine::MachineStatus;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use vendhub_domain::stock::SlotCode;
use vendhub_store::gateway::{self, EventRow};
use vendhub_store::planograms::{self, SlotRow};
use vendhub_store::{DbConn, StoreError};

use super::MachineCaller;
use crate::error::FieldError;
use crate::{App, AppError};

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

fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

fn range(field: &str, v: Option<f64>, lo: f64, hi: f64, problems: &mut Vec<String>) {
    if let Some(x) = v
        && !(x.is_finite() && (lo..=hi).contains(&x))
    {
        problems.push(format!("{field} must be between {lo} and {hi}"));
    }
}

/// The rules an event must keep on its own (the slot's existence is checked against the planogram).
fn check(event: &GatewayEvent, now: DateTime<Utc>) -> Vec<String> {
    let mut problems = Vec::new();
    if !text_ok(event.id(), 100) {
        problems.push("id must be 1 to 100 printable characters".into());
    }
    if event
        .at()
        .is_some_and(|at| at > now + chrono::TimeDelta::hours(1))
    {
        problems.push("at is more than an hour in the future".into());
    }
    match event {
        GatewayEvent::Heartbeat { .. } => {}
        GatewayEvent::Telemetry {
            temperature,
            humidity,
            signal,
            error_codes,
            ..
        } => {
            range("temperature", *temperature, -60.0, 150.0, &mut problems);
            range("humidity", *humidity, 0.0, 100.0, &mut problems);
            range("signal", signal.map(f64::from), -200.0, 100.0, &mut problems);
            if error_codes.len() > 50 || !error_codes.iter().all(|c| text_ok(c, 50)) {
                problems.push("error_codes must be at most 50 codes of 1 to 50 characters".into());
            }
        }
        GatewayEvent::Vend {
            slot,
            price,
            payment_method,
            ..
        } => {
            if SlotCode::parse(slot).is_err() {
                problems.push(format!("slot {slot:?} is not a slot code (A1, B12…)"));
            }
            if !(0..=1_000_000_000_000).contains(price) {
                problems.push("price must be 0 to 10^12 tiyin".into());
            }
            if !PAYMENT_METHODS.contains(&payment_method.as_str()) {
                problems.push(format!(
                    "payment_method must be one of {}",
                    PAYMENT_METHODS.join(", ")
                ));
            }
        }
        GatewayEvent::Error { code, message, .. } => {
            if !text_ok(code, 50) {
                problems.push("code must be 1 to 50 printable characters".into());
            }
            if message.as_ref().is_some_and(|m| m.chars().count() > 1000) {
                problems.push("message must be at most 1000 characters".into());
            }
        }
    }
    problems
}

/// Reads every event of a batch, or says what is wrong with each bad one.
pub fn parse(raw: Vec<serde_json::Value>) -> Result<Vec<GatewayEvent>, IngestError> {
    if raw.len() > MAX_BATCH {
        return Err(IngestError::TooMany { count: raw.len() });
    }
    if raw.is_empty() {
        return Err(IngestError::Invalid(vec![FieldError::new(
            "events",
            "a batch holds 1 to 1000 events",
        )]));
    }
    let now = Utc::now();
    let mut events = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (i, value) in raw.into_iter().enumerate() {
        match serde_json::from_value::<GatewayEvent>(value) {
            Ok(e) => {
                let problems = check(&e, now);
                if problems.is_empty() {
                    events.push(e);
                } else {
                    errors.push(FieldError::new(format!("events[{i}]"), problems.join("; ")));
                }
            }
            Err(e) => errors.push(FieldError::new(format!("events[{i}]"), e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(IngestError::Invalid(errors))
    }
}

/// The slot of each vend, or each vend's problem with this machine's planogram.
fn vend_slots(
    events: &[GatewayEvent],
    slots: &[SlotRow],
) -> Result<HashMap<usize, SlotRow>, Vec<FieldError>> {
    let by_code: HashMap<&str, &SlotRow> = slots.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut found = HashMap::new();
    let mut errors = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let GatewayEvent::Vend { slot, product_id, .. } = e else {
            continue;
        };
        let code = SlotCode::parse(slot)
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default();
        match by_code.get(code.as_str()) {
            None => errors.push(FieldError::new(
                format!("events[{i}]"),
                format!("the machine has no slot {slot} in its planogram"),
            )),
            Some(s) if product_id.as_ref().is_some_and(|p| *p != s.product_id) => {
                errors.push(FieldError::new(
                    format!("events[{i}]"),
                    format!("product_id is not the product of slot {}", s.code),
                ));
            }
            Some(s) => {
                found.insert(i, (*s).clone());
            }
        }
    }
    if errors.is_empty() { Ok(found) } else { Err(errors) }
}

/// What a batch changed, for the answer and the bus.
#[derive(Debug, Default)]
struct Applied {
    outcomes: Vec<EventOutcome>,
    sales: Vec<super::sales::RecordedSale>,
    status: Option<(String, String)>,
    telemetry: Vec<serde_json::Value>,
}

/// Takes a machine's batch: all of it, or nothing.
#[tracing::instrument(skip_all, fields(org.id = %caller.organization_id(), machine.id = %caller.machine_id(), events = batch.events.len()))]
pub async fn ingest(app: &App, caller: &MachineCaller, batch: Batch) -> Result<BatchReport, IngestError> {
    if batch.machine_id != caller.machine_id() {
        return Err(AppError::Forbidden.into());
    }
    let events = parse(batch.events)?;
    let caller2 = caller.clone();
    let applied = app
        .db()
        .run(move |c| vendhub_store::write(c, |c| apply(c, &caller2, &events)))
        .await?
        .map_err(IngestError::Invalid)?;
    let report = BatchReport {
        machine_id: caller.machine_id().to_owned(),
        received: applied.outcomes.len(),
        new: applied.outcomes.iter().filter(|o| o.status == "new").count(),
        duplicates: applied
            .outcomes
            .iter()
            .filter(|o| o.status == "duplicate")
            .count(),
        sales: applied.sales.len(),
        events: applied.outcomes,
    };
    let (org, machine) = (caller.organization_id(), caller.machine_id());
    if let Some((previous, status)) = applied.status {
        super::publish(
            app,
            "machine:status",
            org,
            machine,
            serde_json::json!({ "machine_id": machine, "status": status, "previous": previous }),
        )
        .await;
    }
    for t in applied.telemetry {
        super::publish(app, "machine:telemetry", org, machine, t).await;
    }
    super::sales::publish(app, org, machine, &applied.sales).await;
    Ok(report)
}

fn naive(at: Option<DateTime<Utc>>, now: NaiveDateTime) -> NaiveDateTime {
    at.map_or(now, |t| {
        use chrono::SubsecRound;
        t.naive_utc().trunc_subsecs(6)
    })
}

/// The batch's changes, in the caller's write transaction; `Ok(Err(..))` when a vend does not fit the
/// planogram (nothing was written).
fn apply(
    c: &mut DbConn,
    caller: &MachineCaller,
    events: &[GatewayEvent],
) -> Result<Result<Applied, Vec<FieldError>>, StoreError> {
    let (org, machine) = (caller.organization_id(), caller.machine_id());
    let Some((status, _)) = gateway::lock_machine(c, machine)? else {
        return Err(StoreError::NotFound);
    };
    let slots = planograms::of_machine(c, org, machine)?;
    let vend_slots = match vend_slots(events, &slots) {
        Ok(s) => s,
        Err(errors) => return Ok(Err(errors)),
    };
    let ids: Vec<String> = events.iter().map(|e| e.id().to_owned()).collect();
    let mut seen = gateway::known_events(c, machine, &ids)?;
    let now = vendhub_store::now();
    let mut applied = Applied::default();
    let mut rows = Vec::new();
    let mut error_seen = false;
    for (i, e) in events.iter().enumerate() {
        let is_new = seen.insert(e.id().to_owned());
        applied.outcomes.push(EventOutcome {
            index: i,
            id: e.id().to_owned(),
            status: if is_new { OUTCOMES[0] } else { OUTCOMES[1] },
        });
        if !is_new {
            continue;
        }
        let at = naive(e.at(), now);
        let payload = serde_json::to_value(e).unwrap_or_default();
        match e {
            GatewayEvent::Vend {
                id,
                price,
                payment_method,
                ..
            } => {
                if let Some(slot) = vend_slots.get(&i) {
                    let vend = super::sales::Vend {
                        event_id: id,
                        slot,
                        price: *price,
                        payment_method,
                        at,
                    };
                    if let Some(sale) = super::sales::record_vend(c, caller.scope(), machine, &vend)? {
                        applied.sales.push(sale);
                    }
                }
            }
            GatewayEvent::Error { .. } => error_seen = true,
            GatewayEvent::Telemetry { .. } => {
                let mut t = payload.clone();
                t["machine_id"] = serde_json::json!(machine);
                applied.telemetry.push(t);
            }
            GatewayEvent::Heartbeat { .. } => {}
        }
        rows.push(EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_owned(),
            machine_id: machine.to_owned(),
            event_id: e.id().to_owned(),
            kind: e.kind().to_owned(),
            payload: payload.to_string(),
            occurred_at: e.at().map(|_| at),
            received_at: now,
        });
    }
    gateway::insert_events(c, &rows)?;
    // A status the domain does not know (none should be stored) is left as it is.
    let next = MachineStatus::parse(&status)
        .and_then(|current| current.after_telemetry(error_seen))
        .map(MachineStatus::as_str);
    gateway::mark_seen(c, machine, now, next)?;
    applied.status = next.map(|n| (status.clone(), n.to_owned()));
    Ok(Ok(applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_events_are_named_by_index() {
        let raw = vec![
            serde_json::json!({ "type": "heartbeat", "id": "a" }),
            serde_json::json!({ "type": "vend", "id": "b", "slot": "??", "price": -1, "payment_method": "gold" }),
            serde_json::json!({ "type": "teleport", "id": "c" }),
        ];
        let Err(IngestError::Invalid(errors)) = parse(raw) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["events[1]", "events[2]"]);
        assert!(errors[0].message.contains("price"), "{}", errors[0].message);
    }
}
