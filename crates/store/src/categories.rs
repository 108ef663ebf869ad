//! Product categories (per organization, unique names).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::product_categories;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = product_categories)]
pub struct CategoryRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &CategoryRow) -> Result<(), StoreError> {
    diesel::insert_into(product_categories::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, org: &str, id: &str) -> Result<Option<CategoryRow>, StoreError> {
    Ok(product_categories::table
        .filter(product_categories::organization_id.eq(org))
        .filter(product_categories::id.eq(id))
        .filter(product_categories::deleted_at.is_null())
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, org: &str) -> Result<Vec<CategoryRow>, StoreError> {
    Ok(product_categories::table
        .filter(product_categories::organization_id.eq(org))
        .filter(product_categories::deleted_at.is_null())
        .order(product_categories::name.asc())
        .select(CategoryRow::as_select())
        .load(conn)?)
}
