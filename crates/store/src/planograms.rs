//! Planograms: a machine's slots (product, capacity, par level, price override).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{planogram_slots, planogram_templates};
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = planogram_slots)]
pub struct SlotRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub code: String,
    pub product_id: String,
    pub capacity: i64,
    pub par_level: i64,
    pub price: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn of_machine(conn: &mut DbConn, scope: &TenantScope, machine: &str) -> Result<Vec<SlotRow>, StoreError> {
    Ok(planogram_slots::table
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .filter(planogram_slots::machine_id.eq(machine))
        .order(planogram_slots::code.asc())
        .select(SlotRow::as_select())
        .load(conn)?)
}

pub fn slot(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    code: &str,
) -> Result<Option<SlotRow>, StoreError> {
    Ok(planogram_slots::table
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .filter(planogram_slots::machine_id.eq(machine))
        .filter(planogram_slots::code.eq(code))
        .select(SlotRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every slot of every machine of an organization, by machine and code.
pub fn of_organization(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<SlotRow>, StoreError> {
    Ok(planogram_slots::table
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .order((planogram_slots::machine_id.asc(), planogram_slots::code.asc()))
        .select(SlotRow::as_select())
        .load(conn)?)
}

/// Replaces a machine's whole planogram (inside the caller's transaction).
pub fn replace(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    slots: &[SlotRow],
) -> Result<(), StoreError> {
    for s in slots {
        scope.check(&s.organization_id)?;
    }
    diesel::delete(planogram_slots::table)
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .filter(planogram_slots::machine_id.eq(machine))
        .execute(conn)?;
    for s in slots {
        diesel::insert_into(planogram_slots::table)
            .values(s)
            .execute(conn)
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Inserts or updates one slot.
pub fn upsert(conn: &mut DbConn, scope: &TenantScope, row: &SlotRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(planogram_slots::table)
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .filter(planogram_slots::machine_id.eq(&row.machine_id))
        .filter(planogram_slots::code.eq(&row.code))
        .set((
            planogram_slots::product_id.eq(&row.product_id),
            planogram_slots::capacity.eq(row.capacity),
            planogram_slots::par_level.eq(row.par_level),
            planogram_slots::price.eq(row.price),
            planogram_slots::updated_at.eq(crate::now()),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(planogram_slots::table)
            .values(row)
            .execute(conn)
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = planogram_templates)]
pub struct TemplateRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// JSON array of slots.
    pub slots: String,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert_template(conn: &mut DbConn, scope: &TenantScope, row: &TemplateRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(planogram_templates::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn template(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<TemplateRow>, StoreError> {
    Ok(planogram_templates::table
        .filter(planogram_templates::organization_id.eq(scope.org()))
        .filter(planogram_templates::id.eq(id))
        .filter(planogram_templates::deleted_at.is_null())
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn templates(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<TemplateRow>, StoreError> {
    Ok(planogram_templates::table
        .filter(planogram_templates::organization_id.eq(scope.org()))
        .filter(planogram_templates::deleted_at.is_null())
        .order(planogram_templates::name.asc())
        .select(TemplateRow::as_select())
        .load(conn)?)
}
