//! The demo stock: warehouse stock bought at cost and machine slots refilled through their operators,
//! all through the ledger.

use std::fmt;

use vendhub_store::{StoreError, TenantScope, machines, products};

use super::demo_scope;
use super::planograms::{demo_planogram, insert_template};
use crate::AppError;

/// One demo movement through the ledger; a refusal is a bug in the demo data.
fn demo_post(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    route: Result<crate::stock::ledger::Route, vendhub_domain::stock::StockError>,
    product: &str,
    qty: i64,
    cost: i64,
    capacity: Option<i64>,
) -> Result<(), StoreError> {
    use crate::stock::ledger::{self, Movement, Reference};
    let corrupt = |e: &dyn fmt::Display| StoreError::Corrupt(format!("demo stock refused: {e}"));
    let route = route.map_err(|e| corrupt(&e))?;
    let product = product.parse().map_err(|e| corrupt(&e))?;
    let qty = vendhub_domain::stock::Qty::movement(qty).map_err(|e| corrupt(&e))?;
    let m = Movement::new(route, product, qty, vendhub_store::now())
        .cost(vendhub_domain::money::Tiyin::new(cost))
        .reference(Reference::Demo)
        .into_capacity(capacity);
    ledger::post(conn, scope, &m).map_err(|e| corrupt(&AppError::from(e)))?;
    Ok(())
}

/// Planograms for every machine (8 slots), warehouse stock bought at cost, and slots refilled through
/// their operators: all through the ledger, so balances and movements agree.
pub(super) fn insert(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    use vendhub_domain::stock::{Holder, MovementKind, SlotCode};

    use crate::stock::ledger::Route;
    let corrupt = |e: &dyn fmt::Display| StoreError::Corrupt(format!("demo stock: {e}"));
    let org = scope.id();
    let org_s = org.to_string();
    let catalog = products::list(conn, scope)?;
    let warehouse = vendhub_store::warehouses::list(conn, scope)?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)?;
    let warehouse_holder = Holder::Warehouse(warehouse.id.parse().map_err(|e| corrupt(&e))?);
    for p in &catalog {
        let route = Route::new(MovementKind::Purchase, None, Some(warehouse_holder.clone()));
        demo_post(conn, scope, route, &p.id, 400, p.cost, None)?;
    }
    let (machines, _) = machines::list(
        conn,
        &demo_scope(org),
        &machines::MachineFilter {
            sort: "number".into(),
            ..machines::MachineFilter::default()
        },
        0,
        100,
    )?;
    for (i, m) in machines.iter().enumerate() {
        let slots = demo_planogram(&org_s, &m.id, &catalog, i, now);
        vendhub_store::planograms::replace(conn, &demo_scope(org), &m.id, &slots)?;
        if i == 0 {
            insert_template(conn, org, &slots, now)?;
        }
        let Some(operator) = &m.operator_id else {
            continue;
        };
        let operator = Holder::Operator(operator.parse().map_err(|e| corrupt(&e))?);
        let machine = m.id.parse().map_err(|e| corrupt(&e))?;
        for (j, slot) in slots.iter().enumerate() {
            // A varied fill, a few slots already below the low-stock threshold.
            let qty = i64::try_from((i * 7 + j * 3) % 10 + 1).unwrap_or(5);
            let holder = Holder::Slot {
                machine,
                slot: SlotCode::parse(&slot.code).map_err(|e| corrupt(&e))?,
            };
            let to_operator = Route::between(warehouse_holder.clone(), operator.clone());
            demo_post(conn, scope, to_operator, &slot.product_id, qty, 0, None)?;
            let into_slot = Route::between(operator.clone(), holder);
            demo_post(
                conn,
                scope,
                into_slot,
                &slot.product_id,
                qty,
                0,
                Some(slot.capacity),
            )?;
        }
    }
    Ok(())
}
