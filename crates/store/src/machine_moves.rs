//! Where a machine has stood: one row per move between locations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::machine_moves;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = machine_moves)]
pub struct MoveRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub from_location_id: Option<String>,
    pub to_location_id: Option<String>,
    pub moved_by: Option<String>,
    pub moved_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &MoveRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(machine_moves::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn of_machine(conn: &mut DbConn, scope: &TenantScope, machine: &str) -> Result<Vec<MoveRow>, StoreError> {
    Ok(machine_moves::table
        .filter(machine_moves::organization_id.eq(scope.org()))
        .filter(machine_moves::machine_id.eq(machine))
        .order(machine_moves::moved_at.desc())
        .select(MoveRow::as_select())
        .load(conn)?)
}
