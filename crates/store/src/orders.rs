//! Customer orders (DOMAIN.md "Sales, orders, cash"). A payment provider's call names an order by id
//! before anyone knows its organization, so the lookup that starts a webhook spans organizations; every
//! change after it runs inside the order's own scope.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::orders;
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = orders)]
#[diesel(treat_none_as_null = true)]
pub struct OrderRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub slot_code: String,
    pub product_id: String,
    /// The product's name when the order was made (what the customer saw).
    pub product_name: String,
    /// Tiyin: the slot's price when the order was made.
    pub amount: i64,
    /// [`vendhub_domain::orders::OrderStatus`] as text.
    pub status: String,
    /// The provider that charged the order (`payme`, `click`, `uzum`), once one did.
    pub provider: Option<String>,
    pub client_addr: Option<String>,
    pub language: Option<String>,
    pub expires_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub dispensed_at: Option<NaiveDateTime>,
    pub refunded_at: Option<NaiveDateTime>,
    pub sale_id: Option<String>,
    /// Why the vend failed or why the order is refunded.
    pub reason: Option<String>,
    pub refund_requested_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &OrderRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(orders::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Across organizations: the order a provider's call or the customer's public page names (an order id is
/// an unguessable UUID v7; the caller then works in the order's own scope).
pub fn find_any(conn: &mut DbConn, id: &str) -> Result<Option<OrderRow>, StoreError> {
    Ok(orders::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<OrderRow>, StoreError> {
    Ok(orders::table
        .filter(orders::organization_id.eq(scope.org()))
        .filter(orders::id.eq(id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?)
}

/// The order, and on PostgreSQL its row locked until the transaction ends, so that two replicas answering
/// a provider's calls for one order take turns (SQLite's single writer does that already).
pub fn lock(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<OrderRow>, StoreError> {
    if let DbConn::Postgres(c) = conn {
        let locked: Option<String> = orders::table
            .filter(orders::organization_id.eq(scope.org()))
            .filter(orders::id.eq(id))
            .select(orders::id)
            .for_update()
            .first(c)
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    get(conn, scope, id)
}

/// Writes the whole row back (status, times, reason).
pub fn update(conn: &mut DbConn, scope: &TenantScope, row: &OrderRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(
        orders::table
            .filter(orders::organization_id.eq(scope.org()))
            .filter(orders::id.eq(&row.id)),
    )
    .set(row)
    .execute(conn)?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// How many units of a slot open orders hold: created and not yet expired, or paid and not yet vended.
pub fn reserved(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    slot: &str,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let created: i64 = orders::table
        .filter(orders::organization_id.eq(scope.org()))
        .filter(orders::machine_id.eq(machine))
        .filter(orders::slot_code.eq(slot))
        .filter(orders::status.eq("created"))
        .filter(orders::expires_at.gt(now))
        .count()
        .get_result(conn)?;
    let paid: i64 = orders::table
        .filter(orders::organization_id.eq(scope.org()))
        .filter(orders::machine_id.eq(machine))
        .filter(orders::slot_code.eq(slot))
        .filter(orders::status.eq_any(["paid", "dispensing"]))
        .count()
        .get_result(conn)?;
    Ok(created + paid)
}

/// How many unpaid, unexpired orders a client address holds at a machine.
pub fn live_of_client(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    client_addr: &str,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(orders::table
        .filter(orders::organization_id.eq(scope.org()))
        .filter(orders::machine_id.eq(machine))
        .filter(orders::client_addr.eq(client_addr))
        .filter(orders::status.eq("created"))
        .filter(orders::expires_at.gt(now))
        .count()
        .get_result(conn)?)
}

/// Units held per slot of a machine by open orders (see [`reserved`]).
pub fn reserved_per_slot(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    now: NaiveDateTime,
) -> Result<std::collections::HashMap<String, i64>, StoreError> {
    let rows: Vec<(String, String, NaiveDateTime)> = orders::table
        .filter(orders::organization_id.eq(scope.org()))
        .filter(orders::machine_id.eq(machine))
        .filter(orders::status.eq_any(["created", "paid", "dispensing"]))
        .select((orders::slot_code, orders::status, orders::expires_at))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (slot, status, expires_at) in rows {
        if status != "created" || expires_at > now {
            *out.entry(slot).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Across organizations: ids of created orders whose 15 minutes are over, for the expiry job (at most
/// `limit`; the job works through them in each order's own scope).
pub fn expired_ids(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(orders::table
        .filter(orders::status.eq("created"))
        .filter(orders::expires_at.le(now))
        .order(orders::expires_at.asc())
        .limit(limit)
        .select((orders::organization_id, orders::id))
        .load(conn)?)
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub machine_id: Option<String>,
    pub status: Option<String>,
    pub provider: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// One page of orders, newest first, and the total.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &OrderFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<OrderRow>, i64), StoreError> {
    let build = || {
        let mut q = orders::table
            .filter(orders::organization_id.eq(scope.org()))
            .into_boxed();
        if let Some(m) = &f.machine_id {
            q = q.filter(orders::machine_id.eq(m.clone()));
        }
        if let Some(s) = &f.status {
            q = q.filter(orders::status.eq(s.clone()));
        }
        if let Some(p) = &f.provider {
            q = q.filter(orders::provider.eq(p.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(orders::created_at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(orders::created_at.lt(t));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order((orders::created_at.desc(), orders::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OrderRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Across organizations: how many orders there are per status, for the `vendhub_orders_total` gauge.
pub fn count_by_status(conn: &mut DbConn) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(orders::table
        .group_by(orders::status)
        .select((orders::status, diesel::dsl::count_star()))
        .load(conn)?)
}
