//! Stocktakes: counted quantities for one holder, closed into adjustment movements.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{stocktake_lines, stocktakes};
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktakes)]
pub struct StocktakeRow {
    pub id: String,
    pub organization_id: String,
    pub holder: String,
    pub status: String,
    pub started_by: Option<String>,
    pub started_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// The audit task that counted, when a task did.
    pub task_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktake_lines)]
pub struct LineRow {
    pub stocktake_id: String,
    pub product_id: String,
    pub counted: i64,
    pub counted_by: Option<String>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &StocktakeRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(stocktakes::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(scope.org()))
        .filter(stocktakes::id.eq(id))
        .select(StocktakeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(scope.org()))
        .order(stocktakes::started_at.desc())
        .select(StocktakeRow::as_select())
        .load(conn)?)
}

/// The id of the stocktake `id` when it is the scope's: the parent through which its lines are reached.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_scope<'a>(scope: &'a TenantScope, id: &'a str) -> _ {
    let org: &'a str = scope.org();
    stocktakes::table
        .filter(stocktakes::id.eq(id))
        .filter(stocktakes::organization_id.eq(org))
        .select(stocktakes::id)
}

/// Records (or corrects) a count on a stocktake of the scope ([`StoreError::OutOfScope`] otherwise).
pub fn count(conn: &mut DbConn, scope: &TenantScope, line: &LineRow) -> Result<(), StoreError> {
    let n = diesel::update(stocktake_lines::table)
        .filter(stocktake_lines::stocktake_id.eq_any(in_scope(scope, &line.stocktake_id)))
        .filter(stocktake_lines::product_id.eq(&line.product_id))
        .set((
            stocktake_lines::counted.eq(line.counted),
            stocktake_lines::counted_by.eq(&line.counted_by),
        ))
        .execute(conn)?;
    if n == 0 {
        let parent: Option<String> = in_scope(scope, &line.stocktake_id).first(conn).optional()?;
        if parent.is_none() {
            return Err(StoreError::OutOfScope);
        }
        diesel::insert_into(stocktake_lines::table)
            .values(line)
            .execute(conn)?;
    }
    Ok(())
}

/// The counted lines of a stocktake of the scope (none for another organization's).
pub fn lines(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Vec<LineRow>, StoreError> {
    Ok(stocktake_lines::table
        .filter(stocktake_lines::stocktake_id.eq_any(in_scope(scope, id)))
        .order(stocktake_lines::product_id.asc())
        .select(LineRow::as_select())
        .load(conn)?)
}

/// Closes an open stocktake; `false` when it was closed already (by a concurrent request).
pub fn close(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<bool, StoreError> {
    let n = diesel::update(stocktakes::table.find(id))
        .filter(stocktakes::organization_id.eq(scope.org()))
        .filter(stocktakes::status.eq("open"))
        .set((
            stocktakes::status.eq("closed"),
            stocktakes::closed_at.eq(Some(crate::now())),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The stocktakes an audit task made.
pub fn ids_of_task(conn: &mut DbConn, scope: &TenantScope, task: &str) -> Result<Vec<String>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(scope.org()))
        .filter(stocktakes::task_id.eq(task))
        .select(stocktakes::id)
        .load(conn)?)
}
