//! Warehouses: where stock is received before it goes to operators and machines.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::warehouses;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = warehouses)]
pub struct WarehouseRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &WarehouseRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(warehouses::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn count(conn: &mut DbConn, scope: &TenantScope) -> Result<i64, StoreError> {
    Ok(warehouses::table
        .filter(warehouses::organization_id.eq(scope.org()))
        .filter(warehouses::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<WarehouseRow>, StoreError> {
    Ok(warehouses::table
        .filter(warehouses::organization_id.eq(scope.org()))
        .filter(warehouses::id.eq(id))
        .filter(warehouses::deleted_at.is_null())
        .select(WarehouseRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<WarehouseRow>, StoreError> {
    Ok(warehouses::table
        .filter(warehouses::organization_id.eq(scope.org()))
        .filter(warehouses::deleted_at.is_null())
        .order(warehouses::name.asc())
        .select(WarehouseRow::as_select())
        .load(conn)?)
}

pub fn update(
    conn: &mut DbConn,
    scope: &TenantScope,
    id: &str,
    name: &str,
    address: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(warehouses::table.find(id))
        .filter(warehouses::organization_id.eq(scope.org()))
        .filter(warehouses::deleted_at.is_null())
        .set((
            warehouses::name.eq(name),
            warehouses::address.eq(address),
            warehouses::updated_at.eq(crate::now()),
        ))
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(n == 1)
}

pub fn soft_delete(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<bool, StoreError> {
    let now = crate::now();
    let n = diesel::update(warehouses::table.find(id))
        .filter(warehouses::organization_id.eq(scope.org()))
        .filter(warehouses::deleted_at.is_null())
        .set((
            warehouses::deleted_at.eq(Some(now)),
            warehouses::name.eq(diesel::dsl::sql::<diesel::sql_types::Text>(
                "name || '~deleted~' || id",
            )),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
