//! Stock: purchases into warehouses, transfers between holders, write-offs, and the views of balances
//! and movements. One movement is one transaction with its balances and its audit record; a refused
//! movement (not enough stock, a slot over capacity, a holder of another organization) writes nothing.

use serde::Serialize;
use vendhub_domain::ids::{MachineId, OrganizationId, UserId, WarehouseId};
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, crossed_low};
use vendhub_domain::stock::{Holder, MovementKind, Qty, WriteOffReason, validate_reason, validate_route};
use vendhub_store::audit;
use vendhub_store::stock::{self, NewMovement, Refusal};

pub use vendhub_store::stock::MovementFilter;
use vendhub_store::{DbConn, StoreError, TenantScope, planograms, products, users, warehouses};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::error::Rule;
use crate::paging::{PageRequest, Paged};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// A movement to post, already parsed at the edge.
#[derive(Debug, Clone)]
pub struct MovementRequest {
    pub kind: MovementKind,
    pub product_id: String,
    pub from: Option<Holder>,
    pub to: Option<Holder>,
    pub quantity: i64,
    pub unit_cost: Option<i64>,
    pub reason: Option<WriteOffReason>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementView {
    pub id: String,
    pub product_id: String,
    pub from_holder: Option<String>,
    pub to_holder: Option<String>,
    pub quantity: i64,
    pub kind: String,
    /// Tiyin per unit: the purchase price, or the source's average cost.
    pub unit_cost: i64,
    pub reason: Option<String>,
    pub actor_id: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn movement_view(m: stock::MovementRow) -> MovementView {
    MovementView {
        id: m.id,
        product_id: m.product_id,
        from_holder: m.from_holder,
        to_holder: m.to_holder,
        quantity: m.quantity,
        kind: m.kind,
        unit_cost: m.unit_cost,
        reason: m.reason,
        actor_id: m.actor_id,
        at: m.at.and_utc(),
    }
}

pub(crate) fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::Insufficient {
            holder,
            available,
            requested,
            ..
        } => AppError::Rule(
            Rule::InsufficientStock,
            format!("{holder} holds {available} of this product; {requested} cannot be moved"),
        ),
        Refusal::OverCapacity {
            holder,
            capacity,
            would_be,
        } => AppError::Rule(
            Rule::SlotOverCapacity,
            format!("{holder} holds at most {capacity}; this movement would make it {would_be}"),
        ),
        Refusal::Overflow { holder } => {
            Rule::QuantityOverflow.refuse(format!("the quantity or value at {holder} would be too large"))
        }
    }
}

/// Whether a holder exists in the organization (`Err` names why not).
pub(crate) fn holder_exists(conn: &mut DbConn, scope: &TenantScope, h: &Holder) -> Result<(), AppError> {
    check_holder(conn, scope, h).map(|_| ())
}

/// The holder exists in the organization; a slot answers its capacity.
fn check_holder(conn: &mut DbConn, scope: &TenantScope, h: &Holder) -> Result<Option<i64>, AppError> {
    let org = scope.id();
    match h {
        Holder::Warehouse(id) => warehouses::get(conn, scope, &id.to_string())?
            .map(|_| None)
            .ok_or(AppError::NotFound),
        Holder::Operator(id) => users::role_in(conn, *id, org)?
            .map(|_| None)
            .ok_or(AppError::NotFound),
        Holder::Slot { machine, slot } => {
            planograms::slot(conn, &org.to_string(), &machine.to_string(), slot.as_str())?
                .map(|s| Some(s.capacity))
                .ok_or(AppError::NotFound)
        }
    }
}

/// Posts one movement for the caller's organization.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn post(
    app: &App,
    who: &Principal,
    req: MovementRequest,
    meta: &RequestMeta,
) -> Result<MovementView, AppError> {
    let qty = Qty::movement(req.quantity)
        .map_err(|e| AppError::Validation(vec![FieldError::new("quantity", e.to_string())]))?;
    validate_route(req.kind, req.from.as_ref(), req.to.as_ref())
        .map_err(|e| Rule::RouteNotAllowed.refuse(e.to_string()))?;
    validate_reason(req.kind, req.reason)
        .map_err(|e| AppError::Validation(vec![FieldError::new("reason", e.to_string())]))?;
    let unit_cost = req.unit_cost.unwrap_or(0);
    if unit_cost < 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            "unit_cost",
            "must not be negative",
        )]));
    }
    if req.kind == MovementKind::Purchase && req.unit_cost.is_none() {
        return Err(AppError::Validation(vec![FieldError::new(
            "unit_cost",
            "is required for a purchase",
        )]));
    }
    let (org, actor, meta2) = (who.organization_id(), who.user_id().to_string(), meta.clone());
    let scope = who.scope().clone();
    let req2 = req.clone();
    let (row, low) = app
        .write(move |c| {
            if products::get(c, &scope, &req2.product_id)?.is_none() {
                return Err(AppError::NotFound);
            }
            if let Some(from) = &req2.from {
                check_holder(c, &scope, from)?;
            }
            let capacity = match &req2.to {
                Some(to) => check_holder(c, &scope, to)?,
                None => None,
            };
            let before = slot_balance(c, org, req2.from.as_ref(), &req2.product_id)?;
            let m = NewMovement {
                organization_id: org.to_string(),
                product_id: req2.product_id.clone(),
                from_holder: req2.from.as_ref().map(ToString::to_string),
                to_holder: req2.to.as_ref().map(ToString::to_string),
                quantity: qty.get(),
                kind: req2.kind.as_str().to_owned(),
                unit_cost,
                reason: req2.reason.map(|r| format!("{r:?}").to_lowercase()),
                reference_type: None,
                reference_id: None,
                actor_id: Some(actor.clone()),
            };
            let row = stock::post(c, &m, capacity)?.map_err(refusal)?;
            audit::append(
                c,
                &Record::new(&format!("stock.{}", row.kind), "stock_movement", &row.id)
                    .in_organization(&org)
                    .actor(&actor)
                    .from(&meta2)
                    .after(serde_json::to_value(&row).ok())
                    .done(),
            )?;
            let low = low_crossing(c, org, req2.from.as_ref(), &req2.product_id, before)?;
            Ok((row, low))
        })
        .await?;
    publish_changes(app, who.organization_id(), &row, low).await;
    Ok(movement_view(row))
}

/// The slot's balance before the movement, when the source is a slot.
fn slot_balance(
    c: &mut DbConn,
    org: OrganizationId,
    from: Option<&Holder>,
    product: &str,
) -> Result<Option<i64>, StoreError> {
    match from {
        Some(h @ Holder::Slot { .. }) => Ok(Some(stock::balance_of(
            c,
            &org.to_string(),
            &h.to_string(),
            product,
        )?)),
        _ => Ok(None),
    }
}

/// `Some((machine, slot, balance, par))` when this movement took a slot below its low-stock threshold.
fn low_crossing(
    c: &mut DbConn,
    org: OrganizationId,
    from: Option<&Holder>,
    product: &str,
    before: Option<i64>,
) -> Result<Option<(String, String, i64, i64)>, StoreError> {
    let (Some(Holder::Slot { machine, slot }), Some(before)) = (from, before) else {
        return Ok(None);
    };
    let Some(s) = planograms::slot(c, &org.to_string(), &machine.to_string(), slot.as_str())? else {
        return Ok(None);
    };
    let after = stock::balance_of(
        c,
        &org.to_string(),
        &from.map(ToString::to_string).unwrap_or_default(),
        product,
    )?;
    let q = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
    let crossed = crossed_low(q(before), q(after), q(s.par_level), DEFAULT_LOW_STOCK_PERCENT);
    Ok(crossed.then(|| (machine.to_string(), slot.as_str().to_owned(), after, s.par_level)))
}

async fn publish_changes(
    app: &App,
    org: OrganizationId,
    row: &stock::MovementRow,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BalanceView {
    pub holder: String,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Average cost per unit, tiyin.
    pub avg_cost: i64,
    /// quantity × average cost, tiyin.
    pub value: i64,
}

async fn balances_with_products(
    app: &App,
    scope: &TenantScope,
    prefix: String,
) -> Result<Vec<BalanceView>, AppError> {
    let (scope, org) = (scope.clone(), scope.id());
    let rows = app
        .db()
        .run(move |c| {
            let rows = stock::balances(c, &org.to_string(), &prefix, false)?;
            let catalog = products::list(c, &scope)?;
            Ok((rows, catalog))
        })
        .await?;
    let (rows, catalog) = rows;
    let by_id: std::collections::HashMap<&str, &products::ProductRow> =
        catalog.iter().map(|p| (p.id.as_str(), p)).collect();
    Ok(rows
        .into_iter()
        .map(|b| {
            let p = by_id.get(b.product_id.as_str());
            BalanceView {
                value: b.quantity.saturating_mul(b.avg_cost),
                sku: p.map(|p| p.sku.clone()).unwrap_or_default(),
                name: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                holder: b.holder,
                product_id: b.product_id,
                quantity: b.quantity,
                avg_cost: b.avg_cost,
            }
        })
        .collect())
}

/// Stock in every warehouse (or one), with value at average cost.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn warehouse_stock(
    app: &App,
    who: &Principal,
    warehouse: Option<WarehouseId>,
) -> Result<Vec<BalanceView>, AppError> {
    let prefix = warehouse.map_or_else(|| "warehouse:".to_owned(), |w| Holder::Warehouse(w).to_string());
    balances_with_products(app, who.scope(), prefix).await
}

/// An operator's stock: their own, or (for those who may read all stock) anyone's.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn operator_stock(
    app: &App,
    who: &Principal,
    operator: Option<UserId>,
) -> Result<Vec<BalanceView>, AppError> {
    use vendhub_domain::roles::Permission;
    let target = operator.unwrap_or(who.user_id());
    if target != who.user_id() {
        who.require(Permission::StockRead)?;
    }
    balances_with_products(app, who.scope(), Holder::Operator(target).to_string()).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotStock {
    pub slot: String,
    pub product_id: String,
    pub quantity: i64,
    pub capacity: i64,
    pub par_level: i64,
    /// quantity / capacity, percent.
    pub fill_percent: i64,
    pub low: bool,
}

/// A machine's slots with their balances.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn machine_stock(
    app: &App,
    who: &Principal,
    machine: MachineId,
) -> Result<Vec<SlotStock>, AppError> {
    let org = who.organization_id();
    let rows = app
        .db()
        .run(move |c| {
            if vendhub_store::machines::get(c, org, &machine.to_string())?.is_none() {
                return Ok(None);
            }
            let slots = planograms::of_machine(c, &org.to_string(), &machine.to_string())?;
            let prefix = format!("slot:{machine}:");
            let balances = stock::balances(c, &org.to_string(), &prefix, true)?;
            Ok(Some((slots, balances)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let (slots, balances) = rows;
    Ok(slots
        .into_iter()
        .map(|s| {
            let holder = format!("slot:{machine}:{}", s.code);
            let quantity = balances
                .iter()
                .find(|b| b.holder == holder && b.product_id == s.product_id)
                .map_or(0, |b| b.quantity);
            let q = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
            SlotStock {
                low: vendhub_domain::planogram::is_low(
                    q(quantity),
                    q(s.par_level),
                    DEFAULT_LOW_STOCK_PERCENT,
                ),
                fill_percent: if s.capacity > 0 {
                    quantity * 100 / s.capacity
                } else {
                    0
                },
                slot: s.code,
                product_id: s.product_id,
                quantity,
                capacity: s.capacity,
                par_level: s.par_level,
            }
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn movements(
    app: &App,
    who: &Principal,
    filter: stock::MovementFilter,
    page: PageRequest,
) -> Result<Paged<MovementView>, AppError> {
    let org = who.organization_id().to_string();
    let (rows, total) = app
        .db()
        .run(move |c| stock::movements(c, &org, &filter, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(
        rows.into_iter().map(movement_view).collect(),
        page,
        total,
    ))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LowSlot {
    pub machine_id: String,
    pub machine_number: String,
    pub slot: String,
    pub product_id: String,
    pub quantity: i64,
    pub par_level: i64,
    pub capacity: i64,
}

/// Every slot below its low-stock threshold (30% of par), machine by machine.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn low_stock(app: &App, who: &Principal) -> Result<Vec<LowSlot>, AppError> {
    let org = who.organization_id();
    let rows = app
        .db()
        .run(move |c| {
            let filter = vendhub_store::machines::MachineFilter {
                sort: "number".into(),
                ..Default::default()
            };
            let (machines, _) = vendhub_store::machines::list(c, org, &filter, 0, 100_000)?;
            // Three queries for the whole fleet, joined here.
            let balances: std::collections::HashMap<(String, String), i64> =
                stock::balances(c, &org.to_string(), "slot:", true)?
                    .into_iter()
                    .map(|b| ((b.holder, b.product_id), b.quantity))
                    .collect();
            let numbers: std::collections::HashMap<String, String> =
                machines.into_iter().map(|m| (m.id, m.number)).collect();
            let mut out = Vec::new();
            for s in planograms::of_organization(c, &org.to_string())? {
                // Slots of deleted machines are not part of the fleet.
                let Some(number) = numbers.get(&s.machine_id) else {
                    continue;
                };
                let key = (format!("slot:{}:{}", s.machine_id, s.code), s.product_id.clone());
                let q = balances.get(&key).copied().unwrap_or(0);
                out.push((s.machine_id.clone(), number.clone(), s, q));
            }
            Ok(out)
        })
        .await?;
    let qty = |v: i64| Qty::new(v).unwrap_or(Qty::ZERO);
    Ok(rows
        .into_iter()
        .filter(|(_, _, s, q)| {
            vendhub_domain::planogram::is_low(qty(*q), qty(s.par_level), DEFAULT_LOW_STOCK_PERCENT)
        })
        .map(|(machine_id, machine_number, s, quantity)| LowSlot {
            machine_id,
            machine_number,
            slot: s.code,
            product_id: s.product_id,
            quantity,
            par_level: s.par_level,
            capacity: s.capacity,
        })
        .collect())
}
