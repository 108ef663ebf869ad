//! Product categories (per organization, unique names).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::product_categories;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = product_categories)]
pub struct CategoryRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &CategoryRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(product_categories::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<CategoryRow>, StoreError> {
    Ok(product_categories::table
        .filter(product_categories::organization_id.eq(scope.org()))
        .filter(product_categories::id.eq(id))
        .filter(product_categories::deleted_at.is_null())
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<CategoryRow>, StoreError> {
    Ok(product_categories::table
        .filter(product_categories::organization_id.eq(scope.org()))
        .filter(product_categories::deleted_at.is_null())
        .order(product_categories::name.asc())
        .select(CategoryRow::as_select())
        .load(conn)?)
}
