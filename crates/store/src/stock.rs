//! The stock ledger: append-only movements, and balances per (holder, product) kept in the same
//! transaction, all within a tenant scope. A balance never goes below zero and a slot never above its
//! capacity (the domain's `stock::apply`): such a movement is refused and nothing is written. Safe under concurrency: every balance change is one guarded `UPDATE`
//! (row-locked on PostgreSQL, under the single writer on SQLite).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use vendhub_domain::ids::{ProductId, UserId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::{self, Balance, Holder, MovementKind, Qty, StockError};

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{stock_balances, stock_movements};
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = stock_movements)]
pub struct MovementRow {
    pub id: String,
    pub organization_id: String,
    pub product_id: String,
    pub from_holder: Option<String>,
    pub to_holder: Option<String>,
    pub quantity: i64,
    pub kind: String,
    pub unit_cost: i64,
    pub reason: Option<String>,
    pub reference_type: Option<String>,
    pub reference_id: Option<String>,
    pub actor_id: Option<String>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stock_balances)]
pub struct BalanceRow {
    pub organization_id: String,
    pub holder: String,
    pub product_id: String,
    pub quantity: i64,
    pub avg_cost: i64,
    pub updated_at: NaiveDateTime,
}

/// A movement to post, in domain types (the app's ledger entry point builds it after checking its
/// route). `unit_cost` enters the receiving holder's moving average when the stock comes from outside
/// (a purchase, a surplus); stock from a holder is valued at that holder's average cost.
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub product: ProductId,
    pub from: Option<Holder>,
    pub to: Option<Holder>,
    pub qty: Qty,
    pub unit_cost: Tiyin,
    pub reason: Option<String>,
    pub reference_type: Option<String>,
    pub reference_id: Option<String>,
    pub actor: Option<UserId>,
    pub at: NaiveDateTime,
    /// The receiving slot's capacity; `None` is not checked.
    pub to_capacity: Option<Qty>,
}

fn balance(
    conn: &mut DbConn,
    scope: &TenantScope,
    holder: &str,
    product: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    let q = stock_balances::table
        .filter(stock_balances::organization_id.eq(scope.org()))
        .filter(stock_balances::holder.eq(holder))
        .filter(stock_balances::product_id.eq(product))
        .select((stock_balances::quantity, stock_balances::avg_cost));
    Ok(match conn {
        DbConn::Postgres(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    })
}

/// A stored balance as a domain quantity.
fn qty(n: i64) -> Result<Qty, StoreError> {
    Qty::new(n).map_err(|e| StoreError::Corrupt(format!("stock balance: {e}")))
}

/// The receiving holder's balance, its row made first (empty, at `unit_cost`) so it can be locked.
fn receiving(
    conn: &mut DbConn,
    scope: &TenantScope,
    holder: &str,
    product: &str,
    unit_cost: i64,
    at: NaiveDateTime,
) -> Result<(i64, i64), StoreError> {
    let row = BalanceRow {
        organization_id: scope.org().to_owned(),
        holder: holder.to_owned(),
        product_id: product.to_owned(),
        quantity: 0,
        avg_cost: unit_cost,
        updated_at: at,
    };
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(stock_balances::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(stock_balances::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(balance(conn, scope, holder, product)?.unwrap_or((0, unit_cost)))
}

/// Posts one movement inside the caller's (write) transaction: reads both balances (row-locked on
/// PostgreSQL), applies the domain's balance rule ([`stock::apply`]) and the moving average, then writes
/// the balances and the movement. `Ok(Err(..))` is the rule's refusal, with nothing written but an empty
/// balance row of the receiving holder. The route is the caller's to check ([`stock::validate_route`]).
pub fn post(
    conn: &mut DbConn,
    scope: &TenantScope,
    m: &NewMovement,
) -> Result<Result<MovementRow, StockError>, StoreError> {
    let org = scope.org();
    let product = m.product.to_string();
    let (from, to) = (
        m.from.as_ref().map(ToString::to_string),
        m.to.as_ref().map(ToString::to_string),
    );
    let (from_qty, from_avg) = match &from {
        Some(h) => balance(conn, scope, h, &product)?.unwrap_or((0, 0)),
        None => (0, 0),
    };
    let unit_cost = if from.is_some() && m.kind != MovementKind::Purchase {
        from_avg
    } else {
        m.unit_cost.get()
    };
    let (to_qty, to_avg) = match &to {
        Some(h) => receiving(conn, scope, h, &product, unit_cost, m.at)?,
        None => (0, unit_cost),
    };
    let from_bal = match &m.from {
        Some(holder) => Some(Balance {
            holder,
            qty: qty(from_qty)?,
        }),
        None => None,
    };
    let to_bal = match &m.to {
        Some(holder) => Some(Balance {
            holder,
            qty: qty(to_qty)?,
        }),
        None => None,
    };
    if let Err(refused) = stock::apply(from_bal, to_bal, m.qty, m.to_capacity) {
        return Ok(Err(refused));
    }
    let new_avg = if to.is_some() {
        match stock::moving_average(qty(to_qty)?, Tiyin::new(to_avg), m.qty, Tiyin::new(unit_cost)) {
            Ok(avg) => avg.get(),
            Err(e) => return Ok(Err(e.into())),
        }
    } else {
        0
    };
    let n = m.qty.get();
    if let (Some(h), Some(b)) = (&from, from_bal) {
        let updated = diesel::update(stock_balances::table)
            .filter(stock_balances::organization_id.eq(scope.org()))
            .filter(stock_balances::holder.eq(h))
            .filter(stock_balances::product_id.eq(&product))
            .filter(stock_balances::quantity.ge(n))
            .set((
                stock_balances::quantity.eq(stock_balances::quantity - n),
                stock_balances::updated_at.eq(m.at),
            ))
            .execute(conn)?;
        if updated != 1 {
            return Ok(Err(StockError::Insufficient {
                holder: b.holder.clone(),
                available: b.qty,
                requested: m.qty,
            }));
        }
    }
    if let Some(h) = &to {
        diesel::update(stock_balances::table)
            .filter(stock_balances::organization_id.eq(scope.org()))
            .filter(stock_balances::holder.eq(h))
            .filter(stock_balances::product_id.eq(&product))
            .set((
                stock_balances::quantity.eq(stock_balances::quantity + n),
                stock_balances::avg_cost.eq(new_avg),
                stock_balances::updated_at.eq(m.at),
            ))
            .execute(conn)?;
    }
    let row = MovementRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: org.to_owned(),
        product_id: product,
        from_holder: from,
        to_holder: to,
        quantity: n,
        kind: m.kind.as_str().to_owned(),
        unit_cost,
        reason: m.reason.clone(),
        reference_type: m.reference_type.clone(),
        reference_id: m.reference_id.clone(),
        actor_id: m.actor.map(|a| a.to_string()),
        at: m.at,
    };
    diesel::insert_into(stock_movements::table)
        .values(&row)
        .execute(conn)?;
    Ok(Ok(row))
}

/// Balances of holders whose text starts with `holder_prefix` (e.g. `warehouse:`; our own prefixes hold
/// no LIKE wildcards), with quantity > 0 unless `include_empty`.
pub fn balances(
    conn: &mut DbConn,
    scope: &TenantScope,
    holder_prefix: &str,
    include_empty: bool,
) -> Result<Vec<BalanceRow>, StoreError> {
    let mut q = stock_balances::table
        .filter(stock_balances::organization_id.eq(scope.org()))
        .filter(stock_balances::holder.like(format!("{holder_prefix}%")))
        .into_boxed();
    if !include_empty {
        q = q.filter(stock_balances::quantity.gt(0));
    }
    Ok(
        q.order((stock_balances::holder.asc(), stock_balances::product_id.asc()))
            .select(BalanceRow::as_select())
            .load(conn)?,
    )
}

/// One holder's quantity of a product (zero when it never held any).
pub fn balance_of(
    conn: &mut DbConn,
    scope: &TenantScope,
    holder: &str,
    product: &str,
) -> Result<i64, StoreError> {
    Ok(stock_balances::table
        .filter(stock_balances::organization_id.eq(scope.org()))
        .filter(stock_balances::holder.eq(holder))
        .filter(stock_balances::product_id.eq(product))
        .select(stock_balances::quantity)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Movements filters.
#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub product_id: Option<String>,
    pub holder: Option<String>,
    pub kind: Option<String>,
    /// Movements posted for one reference (a stocktake, a task…).
    pub reference_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// A page of the scope's movements, newest first, and how many match.
pub fn movements(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &MovementFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MovementRow>, i64), StoreError> {
    let build = || {
        let mut q = stock_movements::table
            .filter(stock_movements::organization_id.eq(scope.org().to_owned()))
            .into_boxed();
        if let Some(p) = &f.product_id {
            q = q.filter(stock_movements::product_id.eq(p.clone()));
        }
        if let Some(h) = &f.holder {
            q = q.filter(
                stock_movements::from_holder
                    .eq(h.clone())
                    .or(stock_movements::to_holder.eq(h.clone())),
            );
        }
        if let Some(k) = &f.kind {
            q = q.filter(stock_movements::kind.eq(k.clone()));
        }
        if let Some(r) = &f.reference_id {
            q = q.filter(stock_movements::reference_id.eq(r.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(stock_movements::at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(stock_movements::at.lt(t));
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((stock_movements::at.desc(), stock_movements::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(MovementRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The sum of all balances of a product in an organization (for consistency checks). Summed here, not in
/// SQL: PostgreSQL's SUM(BIGINT) is NUMERIC, SQLite's an integer.
pub fn total_of_product(conn: &mut DbConn, scope: &TenantScope, product: &str) -> Result<i64, StoreError> {
    let quantities: Vec<i64> = stock_balances::table
        .filter(stock_balances::organization_id.eq(scope.org()))
        .filter(stock_balances::product_id.eq(product))
        .select(stock_balances::quantity)
        .load(conn)?;
    Ok(quantities.into_iter().sum())
}
