//! Vending machines.

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::machines;
use crate::scope::TenantScope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = machines)]
pub struct MachineRow {
    pub id: String,
    pub organization_id: String,
    pub number: String,
    pub name: String,
    pub machine_type: String,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub location_id: Option<String>,
    pub operator_id: Option<String>,
    pub status: String,
    pub accepted_payments: String,
    pub cash_capacity: i64,
    pub last_seen_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &MachineRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(machines::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn count(conn: &mut DbConn, scope: &TenantScope) -> Result<i64, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Machine counts per type in an organization.
pub fn count_by_type(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .group_by(machines::machine_type)
        .select((machines::machine_type, diesel::dsl::count_star()))
        .order(machines::machine_type.asc())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<MachineRow>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::id.eq(id))
        .filter(machines::deleted_at.is_null())
        .select(MachineRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_number(
    conn: &mut DbConn,
    scope: &TenantScope,
    number: &str,
) -> Result<Option<MachineRow>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::number.eq(number))
        .filter(machines::deleted_at.is_null())
        .select(MachineRow::as_select())
        .first(conn)
        .optional()?)
}

/// Across organizations: the machines with this number (a number is unique within an organization only),
/// for a customer's QR page, which names a machine before anyone knows its organization.
pub fn find_by_number_any(conn: &mut DbConn, number: &str) -> Result<Vec<MachineRow>, StoreError> {
    Ok(machines::table
        .filter(machines::number.eq(number))
        .filter(machines::deleted_at.is_null())
        .order(machines::created_at.asc())
        .limit(10)
        .select(MachineRow::as_select())
        .load(conn)?)
}

/// List filters; `sort` is one of `number`, `name`, `status`, `created_at` (checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct MachineFilter {
    pub status: Option<String>,
    pub machine_type: Option<String>,
    pub location_id: Option<String>,
    pub operator_id: Option<String>,
    pub q: Option<String>,
    pub sort: String,
    pub descending: bool,
}

pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &MachineFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<MachineRow>, i64), StoreError> {
    let build = || {
        let mut b = machines::table
            .filter(machines::organization_id.eq(scope.org()))
            .filter(machines::deleted_at.is_null())
            .into_boxed();
        if let Some(s) = &f.status {
            b = b.filter(machines::status.eq(s.clone()));
        }
        if let Some(t) = &f.machine_type {
            b = b.filter(machines::machine_type.eq(t.clone()));
        }
        if let Some(l) = &f.location_id {
            b = b.filter(machines::location_id.eq(l.clone()));
        }
        if let Some(o) = &f.operator_id {
            b = b.filter(machines::operator_id.eq(o.clone()));
        }
        if let Some(q) = &f.q {
            let p = format!("%{}%", q.to_lowercase());
            b = b.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("(lower(number) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR lower(name) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR lower(COALESCE(serial_number, '')) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p)
                    .sql(")"),
            );
        }
        b
    };
    let total = build().count().get_result(conn)?;
    let mut q = build();
    q = match (f.sort.as_str(), f.descending) {
        ("name", false) => q.order((machines::name.asc(), machines::id.asc())),
        ("name", true) => q.order((machines::name.desc(), machines::id.desc())),
        ("status", false) => q.order((machines::status.asc(), machines::number.asc())),
        ("status", true) => q.order((machines::status.desc(), machines::number.asc())),
        ("created_at", false) => q.order((machines::created_at.asc(), machines::id.asc())),
        ("created_at", true) => q.order((machines::created_at.desc(), machines::id.desc())),
        (_, false) => q.order(machines::number.asc()),
        (_, true) => q.order(machines::number.desc()),
    };
    let rows = q
        .offset(offset)
        .limit(limit)
        .select(MachineRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A machine with its location's latitude and longitude.
pub type MapRow = (MachineRow, Option<f64>, Option<f64>);

/// Every machine with its location's coordinates, for the map.
pub fn map(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<MapRow>, StoreError> {
    use crate::schema::locations;
    Ok(machines::table
        .left_join(locations::table)
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .order(machines::number.asc())
        .select((
            MachineRow::as_select(),
            locations::latitude.nullable(),
            locations::longitude.nullable(),
        ))
        .load::<MapRow>(conn)?)
}

pub fn update(conn: &mut DbConn, scope: &TenantScope, row: &MachineRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::update(machines::table.find(&row.id))
        .filter(machines::organization_id.eq(scope.org()))
        .set((
            machines::number.eq(&row.number),
            machines::name.eq(&row.name),
            machines::machine_type.eq(&row.machine_type),
            machines::model.eq(&row.model),
            machines::serial_number.eq(&row.serial_number),
            machines::location_id.eq(&row.location_id),
            machines::operator_id.eq(&row.operator_id),
            machines::status.eq(&row.status),
            machines::accepted_payments.eq(&row.accepted_payments),
            machines::cash_capacity.eq(row.cash_capacity),
            machines::updated_at.eq(crate::now()),
        ))
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn soft_delete(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<bool, StoreError> {
    // The number is freed for a new machine: the deleted row keeps it with a suffix.
    let now = crate::now();
    let n = diesel::update(machines::table.find(id))
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .set((
            machines::deleted_at.eq(Some(now)),
            machines::number.eq(diesel::dsl::sql::<diesel::sql_types::Text>(
                "number || '~deleted~' || id",
            )),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Across organizations: machines per status of the whole fleet, for the `vendhub_machine_status` gauge
/// (an operator's metric, not any tenant's data).
pub fn count_by_status(conn: &mut DbConn) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(machines::table
        .filter(machines::deleted_at.is_null())
        .group_by(machines::status)
        .select((machines::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// The machines an operator serves (their route), by number.
pub fn ids_of_operator(
    conn: &mut DbConn,
    scope: &TenantScope,
    operator: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::operator_id.eq(operator))
        .filter(machines::deleted_at.is_null())
        .order(machines::number.asc())
        .select(machines::id)
        .load(conn)?)
}

/// When the machine was last refilled, if ever.
pub fn last_refill_at(
    conn: &mut DbConn,
    scope: &TenantScope,
    id: &str,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(machines::table
        .find(id)
        .filter(machines::organization_id.eq(scope.org()))
        .select(machines::last_refill_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}
