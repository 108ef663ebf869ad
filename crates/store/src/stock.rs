//! The stock ledger: append-only movements, and balances per (holder, product) kept in the same
//! transaction. A balance never goes below zero and a slot never above its capacity: such a movement is
//! refused and nothing is written. Safe under concurrency: every balance change is one guarded `UPDATE`
//! (row-locked on PostgreSQL, under the single writer on SQLite).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{stock_balances, stock_movements};

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

/// A movement to post. `unit_cost` is used for purchases (it enters the moving average); other kinds
/// are valued at the source holder's average cost.
#[derive(Debug, Clone)]
pub struct NewMovement {
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
}

/// Why the ledger refused a movement (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Insufficient {
        holder: String,
        product_id: String,
        available: i64,
        requested: i64,
    },
    OverCapacity {
        holder: String,
        capacity: i64,
        would_be: i64,
    },
    /// The quantity or its value would not fit the numbers we keep.
    Overflow { holder: String },
}

fn balance(
    conn: &mut DbConn,
    org: &str,
    holder: &str,
    product: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    let q = stock_balances::table
        .filter(stock_balances::organization_id.eq(org))
        .filter(stock_balances::holder.eq(holder))
        .filter(stock_balances::product_id.eq(product))
        .select((stock_balances::quantity, stock_balances::avg_cost));
    Ok(match conn {
        DbConn::Postgres(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    })
}

/// The new moving average cost (the domain's rule), in tiyin; `None` when it does not fit.
fn moving_average(current_qty: i64, current_avg: i64, qty: i64, cost: i64) -> Option<i64> {
    use vendhub_domain::money::Tiyin;
    use vendhub_domain::stock::{Qty, moving_average};
    let (cq, q) = (Qty::new(current_qty).ok()?, Qty::new(qty).ok()?);
    moving_average(cq, Tiyin::new(current_avg), q, Tiyin::new(cost))
        .map(Tiyin::get)
        .ok()
}

/// Posts one movement inside the caller's (write) transaction. `to_capacity` is the slot's capacity when
/// the destination is a machine slot.
pub fn post(
    conn: &mut DbConn,
    m: &NewMovement,
    to_capacity: Option<i64>,
) -> Result<Result<MovementRow, Refusal>, StoreError> {
    let now = crate::now();
    let org = m.organization_id.as_str();
    let mut unit_cost = m.unit_cost;
    if let Some(from) = &m.from_holder {
        let current = balance(conn, org, from, &m.product_id)?;
        let (available, avg) = current.unwrap_or((0, 0));
        let n = diesel::update(stock_balances::table)
            .filter(stock_balances::organization_id.eq(org))
            .filter(stock_balances::holder.eq(from))
            .filter(stock_balances::product_id.eq(&m.product_id))
            .filter(stock_balances::quantity.ge(m.quantity))
            .set((
                stock_balances::quantity.eq(stock_balances::quantity - m.quantity),
                stock_balances::updated_at.eq(now),
            ))
            .execute(conn)?;
        if n != 1 {
            return Ok(Err(Refusal::Insufficient {
                holder: from.clone(),
                product_id: m.product_id.clone(),
                available,
                requested: m.quantity,
            }));
        }
        if m.kind != "purchase" {
            unit_cost = avg;
        }
    }
    if let Some(to) = &m.to_holder {
        let row = BalanceRow {
            organization_id: org.to_owned(),
            holder: to.clone(),
            product_id: m.product_id.clone(),
            quantity: 0,
            avg_cost: unit_cost,
            updated_at: now,
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
        let (current, avg) = balance(conn, org, to, &m.product_id)?.unwrap_or((0, unit_cost));
        let Some(would_be) = current.checked_add(m.quantity) else {
            return Ok(Err(Refusal::Overflow { holder: to.clone() }));
        };
        if let Some(cap) = to_capacity
            && would_be > cap
        {
            return Ok(Err(Refusal::OverCapacity {
                holder: to.clone(),
                capacity: cap,
                would_be,
            }));
        }
        let Some(new_avg) = moving_average(current, avg, m.quantity, unit_cost) else {
            return Ok(Err(Refusal::Overflow { holder: to.clone() }));
        };
        diesel::update(stock_balances::table)
            .filter(stock_balances::organization_id.eq(org))
            .filter(stock_balances::holder.eq(to))
            .filter(stock_balances::product_id.eq(&m.product_id))
            .set((
                stock_balances::quantity.eq(stock_balances::quantity + m.quantity),
                stock_balances::avg_cost.eq(new_avg),
                stock_balances::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let row = MovementRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: org.to_owned(),
        product_id: m.product_id.clone(),
        from_holder: m.from_holder.clone(),
        to_holder: m.to_holder.clone(),
        quantity: m.quantity,
        kind: m.kind.clone(),
        unit_cost,
        reason: m.reason.clone(),
        reference_type: m.reference_type.clone(),
        reference_id: m.reference_id.clone(),
        actor_id: m.actor_id.clone(),
        at: now,
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
    org: &str,
    holder_prefix: &str,
    include_empty: bool,
) -> Result<Vec<BalanceRow>, StoreError> {
    let mut q = stock_balances::table
        .filter(stock_balances::organization_id.eq(org))
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

pub fn balance_of(conn: &mut DbConn, org: &str, holder: &str, product: &str) -> Result<i64, StoreError> {
    Ok(stock_balances::table
        .filter(stock_balances::organization_id.eq(org))
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

pub fn movements(
    conn: &mut DbConn,
    org: &str,
    f: &MovementFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MovementRow>, i64), StoreError> {
    let build = || {
        let mut q = stock_movements::table
            .filter(stock_movements::organization_id.eq(org.to_owned()))
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
pub fn total_of_product(conn: &mut DbConn, org: &str, product: &str) -> Result<i64, StoreError> {
    let quantities: Vec<i64> = stock_balances::table
        .filter(stock_balances::organization_id.eq(org))
        .filter(stock_balances::product_id.eq(product))
        .select(stock_balances::quantity)
        .load(conn)?;
    Ok(quantities.into_iter().sum())
}
