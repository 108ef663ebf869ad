//! Writing a checked planogram: a slot that holds stock cannot vanish, change product or shrink below it;
//! the write is audited and announced.

use vendhub_domain::ids::MachineId;
use vendhub_domain::money::Tiyin;
use vendhub_domain::planogram::Slot;
use vendhub_domain::stock::{Holder, SlotCode};
use vendhub_store::planograms::{self, SlotRow};
use vendhub_store::{DbConn, StoreError, audit, machines, products, stock};

use super::{SlotView, view};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// Writes `slots` as the machine's planogram, inside the caller's transaction.
fn write_slots(
    c: &mut DbConn,
    who: &Principal,
    machine: MachineId,
    slots: &[Slot],
) -> Result<Vec<SlotRow>, AppError> {
    let (org, m) = (who.organization_id(), machine.to_string());
    for s in slots {
        if products::get(c, who.scope(), &s.product.to_string())?.is_none() {
            return Err(AppError::Validation(vec![FieldError::new(
                "slots",
                format!("slot {}: no such product", s.code),
            )]));
        }
    }
    for old in planograms::of_machine(c, who.scope(), &m)? {
        let holder = Holder::Slot {
            machine,
            slot: SlotCode::parse(&old.code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        let held = stock::balance_of(c, who.scope(), &holder.to_string(), &old.product_id)?;
        if held == 0 {
            continue;
        }
        let keeps = slots.iter().find(|s| s.code.as_str() == old.code);
        match keeps {
            Some(s) if s.product.to_string() == old.product_id && s.capacity.get() >= held => {}
            _ => {
                return Err(crate::error::Rule::SlotHoldsStock.refuse(format!(
                    "slot {} still holds {held} of its product: unload it before removing the slot, changing its product or shrinking it below that",
                    old.code
                )));
            }
        }
    }
    let now = vendhub_store::now();
    let rows: Vec<SlotRow> = slots
        .iter()
        .map(|s| SlotRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_string(),
            machine_id: m.clone(),
            code: s.code.as_str().to_owned(),
            product_id: s.product.to_string(),
            capacity: s.capacity.get(),
            par_level: s.par_level.get(),
            price: s.price.map(Tiyin::get),
            created_at: now,
            updated_at: now,
        })
        .collect();
    planograms::replace(c, who.scope(), &m, &rows)?;
    Ok(rows)
}

pub(super) async fn store(
    app: &App,
    who: &Principal,
    machine: MachineId,
    slots: Vec<Slot>,
    action: &'static str,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    let rows = app
        .write(move |c| {
            if machines::get(c, who2.scope(), &machine.to_string())?.is_none() {
                return Err(AppError::NotFound);
            }
            let before: Vec<SlotView> = planograms::of_machine(c, who2.scope(), &machine.to_string())?
                .into_iter()
                .map(view)
                .collect();
            let rows = write_slots(c, &who2, machine, &slots)?;
            let after: Vec<SlotView> = rows.iter().cloned().map(view).collect();
            audit::append(
                c,
                &Record::new(action, "machine", &machine.to_string())
                    .by(&who2)
                    .from(&meta)
                    .before(serde_json::to_value(&before).ok())
                    .after(serde_json::to_value(&after).ok())
                    .done(),
            )?;
            Ok(rows)
        })
        .await?;
    let event = DomainEvent::new(
        "planogram:updated",
        &who.organization_id(),
        Some(&machine),
        serde_json::json!({ "slots": rows.len() }),
    );
    crate::events::publish(app, &event).await;
    Ok(rows.into_iter().map(view).collect())
}
