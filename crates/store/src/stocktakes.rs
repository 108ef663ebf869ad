//! Stocktakes: counted quantities for one holder, closed into adjustment movements.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{stocktake_lines, stocktakes};

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

pub fn insert(conn: &mut DbConn, row: &StocktakeRow) -> Result<(), StoreError> {
    diesel::insert_into(stocktakes::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, org: &str, id: &str) -> Result<Option<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(org))
        .filter(stocktakes::id.eq(id))
        .select(StocktakeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn, org: &str) -> Result<Vec<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(org))
        .order(stocktakes::started_at.desc())
        .select(StocktakeRow::as_select())
        .load(conn)?)
}

/// Records (or corrects) a count.
pub fn count(conn: &mut DbConn, line: &LineRow) -> Result<(), StoreError> {
    let n = diesel::update(stocktake_lines::table)
        .filter(stocktake_lines::stocktake_id.eq(&line.stocktake_id))
        .filter(stocktake_lines::product_id.eq(&line.product_id))
        .set((
            stocktake_lines::counted.eq(line.counted),
            stocktake_lines::counted_by.eq(&line.counted_by),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(stocktake_lines::table)
            .values(line)
            .execute(conn)?;
    }
    Ok(())
}

pub fn lines(conn: &mut DbConn, id: &str) -> Result<Vec<LineRow>, StoreError> {
    Ok(stocktake_lines::table
        .filter(stocktake_lines::stocktake_id.eq(id))
        .order(stocktake_lines::product_id.asc())
        .select(LineRow::as_select())
        .load(conn)?)
}

/// Closes an open stocktake; `false` when it was closed already (by a concurrent request).
pub fn close(conn: &mut DbConn, id: &str) -> Result<bool, StoreError> {
    let n = diesel::update(stocktakes::table.find(id))
        .filter(stocktakes::status.eq("open"))
        .set((
            stocktakes::status.eq("closed"),
            stocktakes::closed_at.eq(Some(crate::now())),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The stocktakes an audit task made.
pub fn ids_of_task(conn: &mut DbConn, task: &str) -> Result<Vec<String>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::task_id.eq(task))
        .select(stocktakes::id)
        .load(conn)?)
}
