//! Taking a batch: its vends checked against the planogram, then written whole in one transaction (events,
//! sales and their stock movements, the machine's status), and announced on the bus.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use vendhub_domain::machine::MachineStatus;
use vendhub_domain::stock::SlotCode;
use vendhub_store::gateway::{self, EventRow};
use vendhub_store::planograms::{self, SlotRow};
use vendhub_store::{DbConn, StoreError};

use super::{Batch, BatchReport, EventOutcome, GatewayEvent, IngestError, OUTCOMES, parse};
use crate::error::FieldError;
use crate::gateway::{MachineCaller, publish, sales};
use crate::{App, AppError};

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
    sales: Vec<sales::RecordedSale>,
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
        publish(
            app,
            "machine:status",
            org,
            machine,
            serde_json::json!({ "machine_id": machine, "status": status, "previous": previous }),
        )
        .await;
    }
    for t in applied.telemetry {
        publish(app, "machine:telemetry", org, machine, t).await;
    }
    sales::publish(app, org, machine, &applied.sales).await;
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
    let Some((status, _)) = gateway::lock_machine(c, caller.scope(), machine)? else {
        return Err(StoreError::NotFound);
    };
    let slots = planograms::of_machine(c, caller.scope(), machine)?;
    let vend_slots = match vend_slots(events, &slots) {
        Ok(s) => s,
        Err(errors) => return Ok(Err(errors)),
    };
    let ids: Vec<String> = events.iter().map(|e| e.id().to_owned()).collect();
    let mut seen = gateway::known_events(c, caller.scope(), machine, &ids)?;
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
                    let vend = sales::Vend {
                        event_id: id,
                        slot,
                        price: *price,
                        payment_method,
                        source: "telemetry",
                        at,
                    };
                    if let Some(sale) = sales::record_vend(c, caller.scope(), machine, &vend)? {
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
    gateway::insert_events(c, caller.scope(), &rows)?;
    // A status the domain does not know (none should be stored) is left as it is.
    let next = MachineStatus::parse(&status)
        .and_then(|current| current.after_telemetry(error_seen))
        .map(MachineStatus::as_str);
    gateway::mark_seen(c, caller.scope(), machine, now, next)?;
    applied.status = next.map(|n| (status.clone(), n.to_owned()));
    Ok(Ok(applied))
}
