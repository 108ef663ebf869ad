//! What machines send through the gateway: events (unique per machine and event id), DEX audits (each
//! keeps its counters as the next one's baseline), and the machine's connection state they change.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{dex_audits, gateway_events, machines};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = gateway_events)]
pub struct EventRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    /// The machine's own id of the event.
    pub event_id: String,
    /// `heartbeat`, `telemetry`, `vend`, `error`.
    pub kind: String,
    /// The event as received, JSON.
    pub payload: String,
    pub occurred_at: Option<NaiveDateTime>,
    pub received_at: NaiveDateTime,
}

/// Which of `event_ids` the machine sent before.
pub fn known_events(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    event_ids: &[String],
) -> Result<HashSet<String>, StoreError> {
    let mut known = HashSet::new();
    for chunk in event_ids.chunks(500) {
        let found: Vec<String> = gateway_events::table
            .filter(gateway_events::organization_id.eq(scope.org()))
            .filter(gateway_events::machine_id.eq(machine))
            .filter(gateway_events::event_id.eq_any(chunk))
            .select(gateway_events::event_id)
            .load(conn)?;
        known.extend(found);
    }
    Ok(known)
}

/// Records events (the caller left out known ones), in chunks of one statement each.
pub fn insert_events(conn: &mut DbConn, scope: &TenantScope, rows: &[EventRow]) -> Result<(), StoreError> {
    for row in rows {
        scope.check(&row.organization_id)?;
    }
    for chunk in rows.chunks(200) {
        // A multi-row insert needs the concrete backend.
        match conn {
            DbConn::Postgres(c) => diesel::insert_into(gateway_events::table)
                .values(chunk)
                .execute(c),
            DbConn::Sqlite(c) => diesel::insert_into(gateway_events::table)
                .values(chunk)
                .execute(c),
        }
        .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Events of a machine, newest first.
pub fn events_of(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    kind: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    let mut q = gateway_events::table
        .filter(gateway_events::organization_id.eq(scope.org()))
        .filter(gateway_events::machine_id.eq(machine))
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(gateway_events::kind.eq(k.to_owned()));
    }
    Ok(
        q.order((gateway_events::received_at.desc(), gateway_events::id.desc()))
            .limit(limit)
            .select(EventRow::as_select())
            .load(conn)?,
    )
}

/// A machine's status and when it was last heard from, and on PostgreSQL locks the machine's row until the transaction ends, so
/// concurrent batches of one machine take turns (SQLite's single writer does that already).
pub fn lock_machine(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
) -> Result<Option<(String, Option<NaiveDateTime>)>, StoreError> {
    let q = machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::id.eq(machine))
        .filter(machines::deleted_at.is_null())
        .select((machines::status, machines::last_seen_at));
    Ok(match conn {
        DbConn::Postgres(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    })
}

/// Across organizations: a machine's status and when it was last heard from, for authentication by machine
/// key, which checks the key's machine still exists before it knows the caller's organization.
pub fn machine_state(
    conn: &mut DbConn,
    machine: &str,
) -> Result<Option<(String, Option<NaiveDateTime>)>, StoreError> {
    Ok(machines::table
        .filter(machines::id.eq(machine))
        .filter(machines::deleted_at.is_null())
        .select((machines::status, machines::last_seen_at))
        .first(conn)
        .optional()?)
}

/// Sets when the machine was last heard from, and its status when `status` is given.
pub fn mark_seen(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    at: NaiveDateTime,
    status: Option<&str>,
) -> Result<(), StoreError> {
    let target = machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::id.eq(machine));
    match status {
        Some(s) => diesel::update(target)
            .set((
                machines::last_seen_at.eq(Some(at)),
                machines::status.eq(s),
                machines::updated_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set(machines::last_seen_at.eq(Some(at)))
            .execute(conn)?,
    };
    Ok(())
}

/// Across organizations: machines heard from before `cutoff` and not yet offline (nor taken out of
/// service), for the offline sweep over the whole fleet: (id, organization, status).
pub fn silent_since(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(machines::table
        .filter(machines::deleted_at.is_null())
        .filter(machines::last_seen_at.lt(cutoff))
        .filter(machines::status.ne_all(["offline", "disabled", "maintenance"]))
        .order(machines::id.asc())
        .select((machines::id, machines::organization_id, machines::status))
        .load(conn)?)
}

/// Marks one machine offline unless it was heard from since `cutoff` (or already is); `true` when it changed.
pub fn mark_offline(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    cutoff: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        machines::table
            .filter(machines::organization_id.eq(scope.org()))
            .filter(machines::id.eq(machine)),
    )
    .filter(machines::last_seen_at.lt(cutoff))
    .filter(machines::status.ne_all(["offline", "disabled", "maintenance"]))
    .set((
        machines::status.eq("offline"),
        machines::updated_at.eq(crate::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dex_audits)]
pub struct DexAuditRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    /// The audit's since-initialisation counters, JSON: the baseline of the machine's next audit.
    pub counters: String,
    /// What the import found (sales, warnings, expected cash), JSON.
    pub summary: String,
    /// Tiyin taken in cash since the previous audit, when known.
    pub expected_cash: Option<i64>,
    pub received_at: NaiveDateTime,
}

pub fn insert_dex_audit(conn: &mut DbConn, scope: &TenantScope, row: &DexAuditRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(dex_audits::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// The machine's latest audit.
pub fn last_dex_audit(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
) -> Result<Option<DexAuditRow>, StoreError> {
    Ok(dex_audits::table
        .filter(dex_audits::organization_id.eq(scope.org()))
        .filter(dex_audits::machine_id.eq(machine))
        .order((dex_audits::received_at.desc(), dex_audits::id.desc()))
        .select(DexAuditRow::as_select())
        .first(conn)
        .optional()?)
}

/// A slot of the fleet: (machine id, machine number, slot code, product, capacity).
pub type FleetSlot = (String, String, String, String, i64);

/// Across organizations: every slot of every machine in service, for the fleet-wide stock metrics.
pub fn fleet_slots(conn: &mut DbConn) -> Result<Vec<FleetSlot>, StoreError> {
    use crate::schema::planogram_slots;
    Ok(planogram_slots::table
        .inner_join(machines::table.on(machines::id.eq(planogram_slots::machine_id)))
        .filter(machines::deleted_at.is_null())
        .order((machines::number.asc(), planogram_slots::code.asc()))
        .select((
            machines::id,
            machines::number,
            planogram_slots::code,
            planogram_slots::product_id,
            planogram_slots::capacity,
        ))
        .load(conn)?)
}

/// Across organizations: every slot balance of the fleet, for the fleet-wide stock metrics: (holder,
/// product, quantity).
pub fn slot_balances(conn: &mut DbConn) -> Result<Vec<(String, String, i64)>, StoreError> {
    use crate::schema::stock_balances;
    Ok(stock_balances::table
        .filter(stock_balances::holder.like("slot:%"))
        .select((
            stock_balances::holder,
            stock_balances::product_id,
            stock_balances::quantity,
        ))
        .load(conn)?)
}

/// Across organizations: sales recorded in the whole fleet, by source and payment method, for the sales
/// counter.
pub fn sales_counts(conn: &mut DbConn) -> Result<Vec<(String, String, i64)>, StoreError> {
    use crate::schema::sales;
    Ok(sales::table
        .group_by((sales::source, sales::payment_method))
        .select((sales::source, sales::payment_method, diesel::dsl::count_star()))
        .load(conn)?)
}
