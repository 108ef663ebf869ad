//! Tasks with their items, comments, checklist and photos; task numbers from a per-organization counter.
//! Every function on them takes the caller's [`TenantScope`]; a task's items, comments and checklist are
//! reached through their task's organization.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{machines, task_checklist, task_comments, task_counters, task_items, task_photos, tasks};
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tasks, treat_none_as_null = true)]
pub struct TaskRow {
    pub id: String,
    pub organization_id: String,
    pub number: String,
    pub task_type: String,
    pub status: String,
    pub priority: String,
    pub machine_id: String,
    pub assignee_id: Option<String>,
    pub created_by: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<NaiveDateTime>,
    pub requires_photos: bool,
    /// Why it was postponed, cancelled or rejected (the latest).
    pub status_reason: Option<String>,
    pub started_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub completed_by: Option<String>,
    pub escalated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = task_items)]
pub struct ItemRow {
    pub id: String,
    pub task_id: String,
    pub product_id: String,
    pub slot_code: Option<String>,
    pub planned_qty: i64,
    pub actual_qty: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = task_comments)]
pub struct CommentRow {
    pub id: String,
    pub task_id: String,
    pub author_id: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = task_checklist)]
pub struct CheckRow {
    pub id: String,
    pub task_id: String,
    pub position: i64,
    pub label: String,
    pub done: bool,
    pub done_by: Option<String>,
    pub done_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = task_photos)]
pub struct PhotoRow {
    pub id: String,
    pub organization_id: String,
    pub task_id: String,
    pub category: String,
    pub blob_key: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub uploaded_by: Option<String>,
    pub taken_at: NaiveDateTime,
}

/// The task `id` if it is in scope: the subquery through which a task's child rows are reached.
#[diesel::dsl::auto_type(no_type_alias)]
fn scoped_task<'a>(scope: &'a TenantScope, id: &'a str) -> _ {
    let org: &'a str = scope.org();
    tasks::table
        .filter(tasks::id.eq(id))
        .filter(tasks::organization_id.eq(org))
        .select(tasks::id)
}

/// `Ok` when every task in `ids` is in scope (one indexed query), [`StoreError::OutOfScope`] otherwise:
/// checked before child rows of these tasks are inserted.
fn check_tasks(conn: &mut DbConn, scope: &TenantScope, ids: &[&str]) -> Result<(), StoreError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let found: i64 = tasks::table
        .filter(tasks::id.eq_any(&ids))
        .filter(tasks::organization_id.eq(scope.org()))
        .count()
        .get_result(conn)?;
    if usize::try_from(found).is_ok_and(|n| n == ids.len()) {
        Ok(())
    } else {
        Err(StoreError::OutOfScope)
    }
}

/// The next task number of an organization. Call it inside a write transaction: the counter row is
/// updated in place (row-locked on PostgreSQL, under the single writer on SQLite), so two concurrent
/// creations never get the same number.
pub fn next_number(conn: &mut DbConn, scope: &TenantScope) -> Result<i64, StoreError> {
    let org = scope.org();
    let row = (
        task_counters::organization_id.eq(org),
        task_counters::last_number.eq(0_i64),
    );
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(task_counters::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(task_counters::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    diesel::update(task_counters::table.find(org))
        .set(task_counters::last_number.eq(task_counters::last_number + 1))
        .execute(conn)?;
    Ok(task_counters::table
        .find(org)
        .select(task_counters::last_number)
        .first(conn)?)
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &TaskRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(tasks::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<TaskRow>, StoreError> {
    Ok(tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::id.eq(id))
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves a task's new state only if it is still in `expected_status` (`false`: someone changed it first).
pub fn save_if(
    conn: &mut DbConn,
    scope: &TenantScope,
    row: &TaskRow,
    expected_status: &str,
) -> Result<bool, StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(tasks::table.find(&row.id))
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::status.eq(expected_status))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub status: Option<String>,
    pub task_type: Option<String>,
    pub machine_id: Option<String>,
    pub assignee_id: Option<String>,
    pub priority: Option<String>,
    /// Due before this time.
    pub due_before: Option<NaiveDateTime>,
    /// Only open tasks (pending, assigned, in progress, postponed).
    pub open_only: bool,
}

pub const OPEN: [&str; 4] = ["pending", "assigned", "in_progress", "postponed"];

/// One page of tasks (newest first) and the total.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &TaskFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<TaskRow>, i64), StoreError> {
    let build = || {
        let mut q = tasks::table
            .filter(tasks::organization_id.eq(scope.org().to_owned()))
            .into_boxed();
        if let Some(v) = &f.status {
            q = q.filter(tasks::status.eq(v.clone()));
        }
        if let Some(v) = &f.task_type {
            q = q.filter(tasks::task_type.eq(v.clone()));
        }
        if let Some(v) = &f.machine_id {
            q = q.filter(tasks::machine_id.eq(v.clone()));
        }
        if let Some(v) = &f.assignee_id {
            q = q.filter(tasks::assignee_id.eq(v.clone()));
        }
        if let Some(v) = &f.priority {
            q = q.filter(tasks::priority.eq(v.clone()));
        }
        if let Some(t) = f.due_before {
            q = q.filter(tasks::due_at.lt(t));
        }
        if f.open_only {
            q = q.filter(tasks::status.eq_any(OPEN));
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((tasks::created_at.desc(), tasks::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(TaskRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Tasks per status (the kanban board's columns).
pub fn count_by_status(
    conn: &mut DbConn,
    scope: &TenantScope,
    assignee: Option<&str>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut q = tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .into_boxed();
    if let Some(a) = assignee {
        q = q.filter(tasks::assignee_id.eq(a));
    }
    let statuses: Vec<String> = q.select(tasks::status).load(conn)?;
    let mut counts: Vec<(String, i64)> = Vec::new();
    for s in statuses {
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    Ok(counts)
}

/// Whether the machine has an open task of this type.
pub fn has_open(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    task_type: &str,
) -> Result<bool, StoreError> {
    let n: i64 = tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::machine_id.eq(machine))
        .filter(tasks::task_type.eq(task_type))
        .filter(tasks::status.eq_any(OPEN))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Across organizations: the escalation sweep reads the open tasks of every organization due before
/// `now` and not escalated yet, then escalates each in its own organization's scope.
pub fn overdue(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<TaskRow>, StoreError> {
    Ok(tasks::table
        .filter(tasks::status.eq_any(OPEN))
        .filter(tasks::due_at.lt(now))
        .filter(tasks::escalated_at.is_null())
        .select(TaskRow::as_select())
        .load(conn)?)
}

/// Inserts items of tasks in scope ([`StoreError::OutOfScope`] when a row names another task).
pub fn insert_items(conn: &mut DbConn, scope: &TenantScope, rows: &[ItemRow]) -> Result<(), StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.task_id.as_str()).collect();
    check_tasks(conn, scope, &ids)?;
    for r in rows {
        diesel::insert_into(task_items::table).values(r).execute(conn)?;
    }
    Ok(())
}

pub fn items(conn: &mut DbConn, scope: &TenantScope, task: &str) -> Result<Vec<ItemRow>, StoreError> {
    Ok(task_items::table
        .filter(task_items::task_id.eq_any(scoped_task(scope, task)))
        .order(task_items::id.asc())
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// Replaces a task's items.
pub fn replace_items(
    conn: &mut DbConn,
    scope: &TenantScope,
    task: &str,
    rows: &[ItemRow],
) -> Result<(), StoreError> {
    diesel::delete(task_items::table.filter(task_items::task_id.eq_any(scoped_task(scope, task))))
        .execute(conn)?;
    insert_items(conn, scope, rows)
}

/// Sets the actual quantity of an item of `task`, if the task is in scope.
pub fn set_actual(
    conn: &mut DbConn,
    scope: &TenantScope,
    task: &str,
    item: &str,
    actual: i64,
) -> Result<(), StoreError> {
    diesel::update(task_items::table.find(item))
        .filter(task_items::task_id.eq_any(scoped_task(scope, task)))
        .set(task_items::actual_qty.eq(Some(actual)))
        .execute(conn)?;
    Ok(())
}

pub fn add_comment(conn: &mut DbConn, scope: &TenantScope, row: &CommentRow) -> Result<(), StoreError> {
    check_tasks(conn, scope, &[&row.task_id])?;
    diesel::insert_into(task_comments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn comments(conn: &mut DbConn, scope: &TenantScope, task: &str) -> Result<Vec<CommentRow>, StoreError> {
    Ok(task_comments::table
        .filter(task_comments::task_id.eq_any(scoped_task(scope, task)))
        .order((task_comments::created_at.asc(), task_comments::id.asc()))
        .select(CommentRow::as_select())
        .load(conn)?)
}

/// Replaces a task's checklist.
pub fn replace_checklist(
    conn: &mut DbConn,
    scope: &TenantScope,
    task: &str,
    rows: &[CheckRow],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.task_id.as_str()).collect();
    check_tasks(conn, scope, &ids)?;
    diesel::delete(task_checklist::table.filter(task_checklist::task_id.eq_any(scoped_task(scope, task))))
        .execute(conn)?;
    for r in rows {
        diesel::insert_into(task_checklist::table)
            .values(r)
            .execute(conn)?;
    }
    Ok(())
}

pub fn checklist(conn: &mut DbConn, scope: &TenantScope, task: &str) -> Result<Vec<CheckRow>, StoreError> {
    Ok(task_checklist::table
        .filter(task_checklist::task_id.eq_any(scoped_task(scope, task)))
        .order(task_checklist::position.asc())
        .select(CheckRow::as_select())
        .load(conn)?)
}

/// Binds a photo to a task in scope.
pub fn add_photo(conn: &mut DbConn, scope: &TenantScope, row: &PhotoRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    check_tasks(conn, scope, &[&row.task_id])?;
    diesel::insert_into(task_photos::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn photos(conn: &mut DbConn, scope: &TenantScope, task: &str) -> Result<Vec<PhotoRow>, StoreError> {
    Ok(task_photos::table
        .filter(task_photos::organization_id.eq(scope.org()))
        .filter(task_photos::task_id.eq(task))
        .order((task_photos::taken_at.asc(), task_photos::id.asc()))
        .select(PhotoRow::as_select())
        .load(conn)?)
}

/// Records when a machine in scope was last refilled.
pub fn touch_refill(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(machines::table.find(machine))
        .filter(machines::organization_id.eq(scope.org()))
        .set(machines::last_refill_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

/// Records when the cash of a machine in scope was last collected.
pub fn touch_collection(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(machines::table.find(machine))
        .filter(machines::organization_id.eq(scope.org()))
        .set(machines::last_collection_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

/// Across organizations: the refill automation sweeps every organization that has machine slots, and
/// creates each one's tasks in that organization's scope.
pub fn organizations_with_slots(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    use crate::schema::planogram_slots;
    Ok(planogram_slots::table
        .select(planogram_slots::organization_id)
        .distinct()
        .load(conn)?)
}

/// Marks a task in scope escalated: its new priority, once.
pub fn escalate(
    conn: &mut DbConn,
    scope: &TenantScope,
    id: &str,
    priority: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(tasks::table.find(id))
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::escalated_at.is_null())
        .set((
            tasks::priority.eq(priority),
            tasks::escalated_at.eq(Some(at)),
            tasks::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The machines with an open refill task due in `[from, to)`, optionally only the tasks assigned to
/// `assignee`: a route for one day, for the pre-kit.
pub fn refill_machines_due(
    conn: &mut DbConn,
    scope: &TenantScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
    assignee: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let mut q = tasks::table
        .filter(tasks::organization_id.eq(scope.org().to_owned()))
        .filter(tasks::task_type.eq("refill"))
        .filter(tasks::status.eq_any(OPEN))
        .filter(tasks::due_at.ge(from))
        .filter(tasks::due_at.lt(to))
        .into_boxed();
    if let Some(a) = assignee {
        q = q.filter(tasks::assignee_id.eq(a.to_owned()));
    }
    let mut ids: Vec<String> = q.select(tasks::machine_id).load(conn)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}
