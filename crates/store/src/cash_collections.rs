//! Cash collections: what an operator counted out of a machine, what the sales say was expected, and a
//! manager's confirmation. Every function takes the caller's [`TenantScope`].

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::cash_collections;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cash_collections)]
pub struct CollectionRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub operator_id: Option<String>,
    pub task_id: Option<String>,
    /// Tiyin.
    pub counted: i64,
    /// Tiyin: cash sales since the previous collection.
    pub expected: i64,
    /// Tiyin: counted − expected.
    pub over_short: i64,
    pub bag_number: Option<String>,
    /// Start of the period the expectation covers (the previous collection), if any.
    pub period_from: Option<NaiveDateTime>,
    pub collected_at: NaiveDateTime,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<NaiveDateTime>,
    /// Set when the task that recorded it was rejected.
    pub reversed_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &CollectionRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(cash_collections::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<CollectionRow>, StoreError> {
    Ok(cash_collections::table
        .filter(cash_collections::organization_id.eq(scope.org()))
        .filter(cash_collections::id.eq(id))
        .select(CollectionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The latest collection of a machine that still counts (not reversed).
pub fn latest(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
) -> Result<Option<CollectionRow>, StoreError> {
    Ok(cash_collections::table
        .filter(cash_collections::organization_id.eq(scope.org()))
        .filter(cash_collections::machine_id.eq(machine))
        .filter(cash_collections::reversed_at.is_null())
        .order(cash_collections::collected_at.desc())
        .select(CollectionRow::as_select())
        .first(conn)
        .optional()?)
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct CollectionFilter {
    pub machine_id: Option<String>,
    pub operator_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub confirmed: Option<bool>,
}

/// Collections matching the filter (newest first), reversed ones left out.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &CollectionFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CollectionRow>, i64), StoreError> {
    let build = || {
        let mut q = cash_collections::table
            .filter(cash_collections::organization_id.eq(scope.org().to_owned()))
            .filter(cash_collections::reversed_at.is_null())
            .into_boxed();
        if let Some(v) = &f.machine_id {
            q = q.filter(cash_collections::machine_id.eq(v.clone()));
        }
        if let Some(v) = &f.operator_id {
            q = q.filter(cash_collections::operator_id.eq(v.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(cash_collections::collected_at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(cash_collections::collected_at.lt(t));
        }
        match f.confirmed {
            Some(true) => q = q.filter(cash_collections::confirmed_at.is_not_null()),
            Some(false) => q = q.filter(cash_collections::confirmed_at.is_null()),
            None => {}
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((cash_collections::collected_at.desc(), cash_collections::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(CollectionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Confirms an unconfirmed collection in scope; `false` when it was confirmed already (or is not in scope).
pub fn confirm(
    conn: &mut DbConn,
    scope: &TenantScope,
    id: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(cash_collections::table.find(id))
        .filter(cash_collections::organization_id.eq(scope.org()))
        .filter(cash_collections::confirmed_at.is_null())
        .set((
            cash_collections::confirmed_by.eq(Some(by)),
            cash_collections::confirmed_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks the collection a task recorded as reversed (the task was rejected).
pub fn reverse_for_task(
    conn: &mut DbConn,
    scope: &TenantScope,
    task: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(
        cash_collections::table
            .filter(cash_collections::organization_id.eq(scope.org()))
            .filter(cash_collections::task_id.eq(task)),
    )
    .set(cash_collections::reversed_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}
