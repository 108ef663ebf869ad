//! Commands a machine long-polls for (a vend for a paid order). One command per order (a unique index), so
//! a payment can never queue two vends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::machine_commands;
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = machine_commands)]
#[diesel(treat_none_as_null = true)]
pub struct CommandRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub order_id: String,
    /// `vend`.
    pub kind: String,
    pub slot_code: String,
    /// Tiyin.
    pub amount: i64,
    /// `pending` (not yet taken), `sent` (a poll took it), `dispensed`, `failed`, `expired` (no machine
    /// took or answered it in time), `withdrawn` (the payment was reversed before the vend).
    pub status: String,
    pub reason: Option<String>,
    pub expires_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub result_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Queues a command; `false` when the order has one already.
pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &CommandRow) -> Result<bool, StoreError> {
    scope.check(&row.organization_id)?;
    let exists: i64 = machine_commands::table
        .filter(machine_commands::order_id.eq(&row.order_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    match diesel::insert_into(machine_commands::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from_write(e) {
            StoreError::Conflict(_) => Ok(false),
            other => Err(other),
        },
    }
}

/// The command, and on PostgreSQL its row locked until the transaction ends.
pub fn lock(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<CommandRow>, StoreError> {
    if let DbConn::Postgres(c) = conn {
        let locked: Option<String> = machine_commands::table
            .filter(machine_commands::organization_id.eq(scope.org()))
            .filter(machine_commands::id.eq(id))
            .select(machine_commands::id)
            .for_update()
            .first(c)
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    Ok(machine_commands::table
        .filter(machine_commands::organization_id.eq(scope.org()))
        .filter(machine_commands::id.eq(id))
        .select(CommandRow::as_select())
        .first(conn)
        .optional()?)
}

/// The command (not locked).
pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<CommandRow>, StoreError> {
    Ok(machine_commands::table
        .filter(machine_commands::organization_id.eq(scope.org()))
        .filter(machine_commands::id.eq(id))
        .select(CommandRow::as_select())
        .first(conn)
        .optional()?)
}

/// The order's command, if one was queued.
pub fn for_order(
    conn: &mut DbConn,
    scope: &TenantScope,
    order: &str,
) -> Result<Option<CommandRow>, StoreError> {
    Ok(machine_commands::table
        .filter(machine_commands::organization_id.eq(scope.org()))
        .filter(machine_commands::order_id.eq(order))
        .select(CommandRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes the whole row back.
pub fn update(conn: &mut DbConn, scope: &TenantScope, row: &CommandRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(
        machine_commands::table
            .filter(machine_commands::organization_id.eq(scope.org()))
            .filter(machine_commands::id.eq(&row.id)),
    )
    .set(row)
    .execute(conn)?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// The machine's commands waiting to be taken and not expired, oldest first (not locked: the caller locks
/// each command's order, then the command, and checks it is still pending — the same order of locks as
/// every other change of an order, so two transactions never wait on each other in a circle).
pub fn pending_for_machine(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<CommandRow>, StoreError> {
    Ok(machine_commands::table
        .filter(machine_commands::organization_id.eq(scope.org()))
        .filter(machine_commands::machine_id.eq(machine))
        .filter(machine_commands::status.eq("pending"))
        .filter(machine_commands::expires_at.gt(now))
        .order(machine_commands::created_at.asc())
        .limit(limit)
        .select(CommandRow::as_select())
        .load(conn)?)
}

/// Whether the machine has a command waiting (a cheap check between long-poll wake-ups).
pub fn has_pending(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n: i64 = machine_commands::table
        .filter(machine_commands::organization_id.eq(scope.org()))
        .filter(machine_commands::machine_id.eq(machine))
        .filter(machine_commands::status.eq("pending"))
        .filter(machine_commands::expires_at.gt(now))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Across organizations: commands still pending or sent whose time is over, for the expiry job (at most
/// `limit`; the job handles each in its own scope).
pub fn overdue_ids(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(machine_commands::table
        .filter(machine_commands::status.eq_any(["pending", "sent"]))
        .filter(machine_commands::expires_at.le(now))
        .order(machine_commands::expires_at.asc())
        .limit(limit)
        .select((machine_commands::organization_id, machine_commands::id))
        .load(conn)?)
}
