//! Sales the gateway records: a vend becomes a sale and a `sale` movement out of its slot, in the
//! caller's transaction. A vend from a slot the ledger says is empty is still a sale: it is flagged
//! `empty_slot`, and a shrink adjustment brings the one unit in first, so the balance stays at zero.

use chrono::NaiveDateTime;
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, crossed_low};
use vendhub_domain::stock::{Holder, MovementKind, Qty, SlotCode};
use vendhub_store::planograms::SlotRow;
use vendhub_store::sales::{self, SaleRow};
use vendhub_store::{DbConn, StoreError, TenantScope, stock};

use crate::App;
use crate::stock::ledger::{self, LedgerError, Movement, Reason, Reference, Route};

/// A vend to record.
pub struct Vend<'a> {
    pub event_id: &'a str,
    pub slot: &'a SlotRow,
    pub price: i64,
    pub payment_method: &'a str,
    /// `telemetry` for a machine's vend event, `order` for a customer order's vend.
    pub source: &'a str,
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

/// One unit of the slot's product along `route`, for the sale.
fn movement(
    slot: &SlotRow,
    route: Result<Route, vendhub_domain::stock::StockError>,
    sale_id: &str,
) -> Result<Movement, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("sale movement: {e}"));
    let product = slot.product_id.parse().map_err(|e| corrupt(&e))?;
    let route = route.map_err(|e| corrupt(&e))?;
    let one = Qty::movement(1).map_err(|e| corrupt(&e))?;
    Ok(Movement::new(route, product, one, vendhub_store::now())
        .reference(Reference::Sale(sale_id.to_owned())))
}

/// Posts a sale's movement; `false` when the ledger refused it (the sale stands without it).
fn tolerated(c: &mut DbConn, scope: &TenantScope, m: &Movement) -> Result<bool, StoreError> {
    match ledger::post(c, scope, m) {
        Ok(_) => Ok(true),
        Err(LedgerError::Refused(_)) => Ok(false),
        Err(LedgerError::Store(e)) => Err(e),
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
    let holder = Holder::Slot {
        machine: machine
            .parse()
            .map_err(|_| StoreError::Corrupt("machine id".into()))?,
        slot: SlotCode::parse(&slot.code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    };
    let before = stock::balance_of(c, scope, &holder.to_string(), &slot.product_id)?;
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
        source: vend.source.to_owned(),
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
        let route = Route::new(MovementKind::Adjustment, None, Some(holder.clone()));
        let shrink = movement(slot, route, &sale.id)?
            .reason(Reason::Shrink)
            .into_capacity(Some(slot.capacity.max(1)));
        if !tolerated(c, scope, &shrink)? {
            return Ok(Some(recorded(&sale, slot, before, before)));
        }
    }
    // A sale the ledger refuses (it cannot take stock that is not there) is recorded all the same.
    let out = movement(slot, Route::new(MovementKind::Sale, Some(holder), None), &sale.id)?;
    let after = if tolerated(c, scope, &out)? {
        before.max(1) - 1
    } else {
        before
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
