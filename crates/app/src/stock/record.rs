//! One movement posted through the API (a purchase, transfer or write-off): the product and holders must
//! be the organization's, then the ledger posts it with its audit record, and the bus hears of it (and of
//! a slot it took below its low-stock threshold).

use vendhub_domain::ids::{OrganizationId, ProductId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, crossed_low};
use vendhub_domain::stock::{Holder, Qty};
use vendhub_store::stock::{self, MovementRow};
use vendhub_store::{DbConn, StoreError, TenantScope, audit, planograms, products};

use super::ledger::{self, Movement, Reason, Route, check_holder};
use super::{MovementView, movement_view};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::{FieldError, Rule};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// A movement's quantity, as the API takes it.
pub(super) fn quantity(n: i64) -> Result<Qty, AppError> {
    Qty::movement(n).map_err(|e| AppError::Validation(vec![FieldError::new("quantity", e.to_string())]))
}

/// A route the API asked for; a refused one is 422 naming both ends and the rule.
pub(super) fn route(r: Result<Route, vendhub_domain::stock::StockError>) -> Result<Route, AppError> {
    r.map_err(|e| Rule::RouteNotAllowed.refuse(e.to_string()))
}

/// What the API's movement carries besides its route.
pub(super) struct Posting {
    pub route: Route,
    pub product_id: String,
    pub qty: Qty,
    pub unit_cost: Tiyin,
    pub reason: Option<Reason>,
}

/// Posts one movement for the caller's organization, in one transaction with its audit record.
pub(super) async fn post(
    app: &App,
    who: &Principal,
    p: Posting,
    meta: &RequestMeta,
) -> Result<MovementView, AppError> {
    let (scope, actor, meta2) = (who.scope().clone(), who.user_id(), meta.clone());
    let (row, low) = app
        .write(move |c| {
            let org = scope.id();
            let product: ProductId = p.product_id.parse().map_err(|_| AppError::NotFound)?;
            if products::get(c, &scope, &p.product_id)?.is_none() {
                return Err(AppError::NotFound);
            }
            if let Some(from) = p.route.from() {
                check_holder(c, &scope, from)?;
            }
            let capacity = match p.route.to() {
                Some(to) => check_holder(c, &scope, to)?,
                None => None,
            };
            let from = p.route.from().cloned();
            let before = slot_balance(c, &scope, from.as_ref(), &p.product_id)?;
            let mut m = Movement::new(p.route, product, p.qty, vendhub_store::now())
                .cost(p.unit_cost)
                .by(Some(actor))
                .into_capacity(capacity);
            if let Some(reason) = p.reason {
                m = m.reason(reason);
            }
            let row = ledger::post(c, &scope, &m)?;
            audit::append(
                c,
                &Record::new(&format!("stock.{}", row.kind), "stock_movement", &row.id)
                    .in_organization(&org)
                    .actor(&actor.to_string())
                    .from(&meta2)
                    .after(serde_json::to_value(&row).ok())
                    .done(),
            )?;
            let low = low_crossing(c, &scope, from.as_ref(), &p.product_id, before)?;
            Ok((row, low))
        })
        .await?;
    publish_changes(app, who.organization_id(), &row, low).await;
    Ok(movement_view(row))
}

/// The slot's balance before the movement, when the source is a slot.
fn slot_balance(
    c: &mut DbConn,
    scope: &TenantScope,
    from: Option<&Holder>,
    product: &str,
) -> Result<Option<i64>, StoreError> {
    match from {
        Some(h @ Holder::Slot { .. }) => Ok(Some(stock::balance_of(c, scope, &h.to_string(), product)?)),
        _ => Ok(None),
    }
}

/// `Some((machine, slot, balance, par))` when this movement took a slot below its low-stock threshold.
fn low_crossing(
    c: &mut DbConn,
    scope: &TenantScope,
    from: Option<&Holder>,
    product: &str,
    before: Option<i64>,
) -> Result<Option<(String, String, i64, i64)>, StoreError> {
    let (Some(h @ Holder::Slot { machine, slot }), Some(before)) = (from, before) else {
        return Ok(None);
    };
    let Some(s) = planograms::slot(c, scope, &machine.to_string(), slot.as_str())? else {
        return Ok(None);
    };
    let after = stock::balance_of(c, scope, &h.to_string(), product)?;
    let q = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
    let crossed = crossed_low(q(before), q(after), q(s.par_level), DEFAULT_LOW_STOCK_PERCENT);
    Ok(crossed.then(|| (machine.to_string(), slot.as_str().to_owned(), after, s.par_level)))
}

async fn publish_changes(
    app: &App,
    org: OrganizationId,
    row: &MovementRow,
    low: Option<(String, String, i64, i64)>,
) {
    let event = DomainEvent::new(
        "inventory:changed",
        &org,
        None,
        serde_json::json!({ "movement_id": row.id, "kind": row.kind, "product_id": row.product_id,
            "from": row.from_holder, "to": row.to_holder, "quantity": row.quantity }),
    );
    crate::events::publish(app, &event).await;
    if let Some((machine, slot, balance, par)) = low {
        let event = DomainEvent::new(
            "inventory:low",
            &org,
            Some(&machine),
            serde_json::json!({ "slot": slot, "product_id": row.product_id, "balance": balance, "par_level": par }),
        );
        crate::events::publish(app, &event).await;
    }
}
