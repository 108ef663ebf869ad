//! Sales the gateway records: a vend becomes a sale and a `sale` movement out of its slot, in the
//! caller's transaction. A vend from a slot the ledger says is empty is still a sale: it is flagged
//! `empty_slot`, and a shrink adjustment brings the one unit in first, so the balance stays at zero.

use chrono::NaiveDateTime;
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, crossed_low};
use vendhub_domain::stock::Qty;
use vendhub_store::planograms::SlotRow;
use vendhub_store::sales::{self, SaleRow};
use vendhub_store::stock::{self, NewMovement};
use vendhub_store::{DbConn, StoreError, TenantScope};

use crate::App;

/// A vend to record.
pub struct Vend<'a> {
    pub event_id: &'a str,
    pub slot: &'a SlotRow,
    pub price: i64,
    pub payment_method: &'a str,
    pub at: NaiveDateTime,
}

/// A sale the gateway recorded, for the bus.
#[derive(Debug, Clone)]
pub struct RecordedSale {
    pub sale_id: String,
    pub slot: String,
    pub product_id: String,
    pub balance: i64,
    pub par_level: i64,
    pub flag: Option<String>,
    /// The slot went below its low-stock threshold with this sale.
    pub low: bool,
}

fn movement(org: &str, slot: &SlotRow, holder: &str, kind: &str, sale_id: &str) -> NewMovement {
    let (from, to) = if kind == "sale" {
        (Some(holder.to_owned()), None)
    } else {
        (None, Some(holder.to_owned()))
    };
    NewMovement {
        organization_id: org.to_owned(),
        product_id: slot.product_id.clone(),
        from_holder: from,
        to_holder: to,
        quantity: 1,
        kind: kind.to_owned(),
        unit_cost: 0,
        reason: (kind == "adjustment").then(|| "shrink".to_owned()),
        reference_type: Some("sale".into()),
        reference_id: Some(sale_id.to_owned()),
        actor_id: None,
    }
}

/// Records one vend; `None` when this sale was recorded before.
pub fn record_vend(
    c: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    vend: &Vend<'_>,
) -> Result<Option<RecordedSale>, StoreError> {
    let org = scope.org();
    let slot = vend.slot;
    let holder = format!("slot:{machine}:{}", slot.code);
    let before = stock::balance_of(c, org, &holder, &slot.product_id)?;
    let flag = (before < 1).then(|| "empty_slot".to_owned());
    let sale = SaleRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: org.to_owned(),
        machine_id: machine.to_owned(),
        slot_code: Some(slot.code.clone()),
        product_id: Some(slot.product_id.clone()),
        unit_price: vend.price,
        quantity: 1,
        amount: vend.price,
        payment_method: vend.payment_method.to_owned(),
        source: "telemetry".into(),
        source_id: vend.event_id.to_owned(),
        flag: flag.clone(),
        sold_at: vend.at,
        created_at: vendhub_store::now(),
    };
    if !sales::insert(c, scope, &sale)? {
        return Ok(None);
    }
    if flag.is_some() {
        // The ledger said empty, yet the machine sold one: bring it in as shrink, then sell it. A slot
        // without room for even one unit keeps the sale without movements.
        let shrink = movement(org, slot, &holder, "adjustment", &sale.id);
        if stock::post(c, &shrink, Some(slot.capacity.max(1)))?.is_err() {
            return Ok(Some(recorded(&sale, slot, before, before)));
        }
    }
    let out = movement(org, slot, &holder, "sale", &sale.id);
    let after = match stock::post(c, &out, None)? {
        Ok(_) => before.max(1) - 1,
        Err(_) => before,
    };
    Ok(Some(recorded(&sale, slot, before, after)))
}

fn recorded(sale: &SaleRow, slot: &SlotRow, before: i64, after: i64) -> RecordedSale {
    let q = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
    RecordedSale {
        sale_id: sale.id.clone(),
        slot: slot.code.clone(),
        product_id: slot.product_id.clone(),
        balance: after,
        par_level: slot.par_level,
        flag: sale.flag.clone(),
        low: crossed_low(q(before), q(after), q(slot.par_level), DEFAULT_LOW_STOCK_PERCENT),
    }
}

/// `inventory:changed` for each sale, and `inventory:low` where a slot went low.
pub async fn publish(app: &App, org: &str, machine: &str, sales: &[RecordedSale]) {
    for s in sales {
        super::publish(
            app,
            "inventory:changed",
            org,
            machine,
            serde_json::json!({ "machine_id": machine, "kind": "sale", "sale_id": s.sale_id, "slot": s.slot,
                "product_id": s.product_id, "quantity": 1, "balance": s.balance, "flag": s.flag }),
        )
        .await;
        if s.low {
            super::publish(
                app,
                "inventory:low",
                org,
                machine,
                serde_json::json!({ "machine_id": machine, "slot": s.slot, "product_id": s.product_id,
                    "balance": s.balance, "par_level": s.par_level }),
            )
            .await;
        }
    }
}
