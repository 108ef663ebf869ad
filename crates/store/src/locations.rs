//! Locations where machines stand.

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::locations;
use crate::scope::TenantScope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct LocationRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub opening_hours: Option<String>,
    pub contract_type: String,
    pub rent_amount: i64,
    pub revenue_share_percent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &LocationRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(locations::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn count(conn: &mut DbConn, scope: &TenantScope) -> Result<i64, StoreError> {
    Ok(locations::table
        .filter(locations::organization_id.eq(scope.org()))
        .filter(locations::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<LocationRow>, StoreError> {
    Ok(locations::table
        .filter(locations::organization_id.eq(scope.org()))
        .filter(locations::id.eq(id))
        .filter(locations::deleted_at.is_null())
        .select(LocationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Locations of an organization, optionally matching `q` in name or address, paged.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<LocationRow>, i64), StoreError> {
    let build = || {
        let mut b = locations::table
            .filter(locations::organization_id.eq(scope.org()))
            .filter(locations::deleted_at.is_null())
            .into_boxed();
        if let Some(q) = q {
            let pattern = format!("%{}%", q.to_lowercase());
            b = b.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("(lower(name) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern.clone())
                    .sql(" OR lower(address) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern)
                    .sql(")"),
            );
        }
        b
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order(locations::name.asc())
        .offset(offset)
        .limit(limit)
        .select(LocationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Locations with coordinates inside a bounding box (the caller filters by exact distance).
pub fn in_box(
    conn: &mut DbConn,
    scope: &TenantScope,
    lat: (f64, f64),
    lon: (f64, f64),
) -> Result<Vec<LocationRow>, StoreError> {
    Ok(locations::table
        .filter(locations::organization_id.eq(scope.org()))
        .filter(locations::deleted_at.is_null())
        .filter(locations::latitude.between(lat.0, lat.1))
        .filter(locations::longitude.between(lon.0, lon.1))
        .select(LocationRow::as_select())
        .load(conn)?)
}

pub fn update(conn: &mut DbConn, scope: &TenantScope, row: &LocationRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::update(locations::table.find(&row.id))
        .filter(locations::organization_id.eq(scope.org()))
        .set((
            locations::name.eq(&row.name),
            locations::address.eq(&row.address),
            locations::latitude.eq(row.latitude),
            locations::longitude.eq(row.longitude),
            locations::contact_name.eq(&row.contact_name),
            locations::contact_phone.eq(&row.contact_phone),
            locations::opening_hours.eq(&row.opening_hours),
            locations::contract_type.eq(&row.contract_type),
            locations::rent_amount.eq(row.rent_amount),
            locations::revenue_share_percent.eq(row.revenue_share_percent),
            locations::updated_at.eq(crate::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn soft_delete(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<bool, StoreError> {
    let n = diesel::update(locations::table.find(id))
        .filter(locations::organization_id.eq(scope.org()))
        .filter(locations::deleted_at.is_null())
        .set(locations::deleted_at.eq(Some(crate::now())))
        .execute(conn)?;
    Ok(n == 1)
}
