//! Field tasks: create, list, the board, and the views. State changes are in `commands`, completion and
//! rejection (with their stock movements and cash records) in `complete`, photo proof in `photos`.

pub mod automation;
mod commands;
mod complete;
pub(crate) mod demo;
mod notes;
mod people;
mod photos;
mod query;

pub use commands::{Change, act};
pub use complete::{CompleteRequest, ItemActual, complete, reject};
pub use notes::{CheckItem, CommentView, add_comment, comments, set_check, set_checklist, set_items};
pub use people::{Assignee, assignees};
pub use photos::{NewPhoto, PhotoView, add_photo, photo_file};
pub use query::TaskQuery;

use serde::Serialize;
use vendhub_domain::ids::{MachineId, ProductId, TaskId, UserId};
use vendhub_domain::tasks::{Priority, TaskStatus, TaskType};
use vendhub_store::tasks::{self, CheckRow, ItemRow, TaskRow};
use vendhub_store::{DbConn, TenantScope, audit, machines, planograms, products, users};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::paging::{PageRequest, Paged};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// A task as clients see it. Lists leave `items`, `checklist` and `photos` empty.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: String,
    /// `TASK-<year>-<number>`, per organization.
    pub number: String,
    pub task_type: String,
    pub status: String,
    pub priority: String,
    pub machine_id: String,
    pub assignee_id: Option<String>,
    pub created_by: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub requires_photos: bool,
    /// Why it was last postponed, cancelled or rejected.
    pub status_reason: Option<String>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_by: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub items: Vec<ItemView>,
    pub checklist: Vec<CheckView>,
    pub photos: Vec<PhotoView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: String,
    pub product_id: String,
    pub slot: Option<String>,
    pub planned_qty: i64,
    pub actual_qty: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    pub position: i64,
    pub label: String,
    pub done: bool,
    pub done_by: Option<String>,
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) fn view(t: TaskRow) -> TaskView {
    TaskView {
        id: t.id,
        number: t.number,
        task_type: t.task_type,
        status: t.status,
        priority: t.priority,
        machine_id: t.machine_id,
        assignee_id: t.assignee_id,
        created_by: t.created_by,
        title: t.title,
        description: t.description,
        due_at: t.due_at.map(|d| d.and_utc()),
        requires_photos: t.requires_photos,
        status_reason: t.status_reason,
        started_at: t.started_at.map(|d| d.and_utc()),
        completed_at: t.completed_at.map(|d| d.and_utc()),
        completed_by: t.completed_by,
        created_at: t.created_at.and_utc(),
        updated_at: t.updated_at.and_utc(),
        items: Vec::new(),
        checklist: Vec::new(),
        photos: Vec::new(),
    }
}

fn item_view(i: ItemRow) -> ItemView {
    ItemView {
        id: i.id,
        product_id: i.product_id,
        slot: i.slot_code,
        planned_qty: i.planned_qty,
        actual_qty: i.actual_qty,
    }
}

fn check_view(c: CheckRow) -> CheckView {
    CheckView {
        position: c.position,
        label: c.label,
        done: c.done,
        done_by: c.done_by,
        done_at: c.done_at.map(|d| d.and_utc()),
    }
}

/// A planned item of a new task.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub product_id: String,
    pub slot: Option<String>,
    pub planned_qty: i64,
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub task_type: TaskType,
    pub priority: Priority,
    pub machine_id: MachineId,
    pub assignee_id: Option<UserId>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Defaults by type (everything but audits and inspections needs photos).
    pub requires_photos: Option<bool>,
    pub items: Vec<NewItem>,
    pub checklist: Vec<String>,
}

/// Checks the items against the machine's planogram and the catalogue (`Err` names the bad field).
pub(crate) fn check_items(
    c: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    items: &[NewItem],
) -> Result<(), AppError> {
    for (i, item) in items.iter().enumerate() {
        if item.planned_qty < 0 {
            return Err(invalid(format!("items[{i}].planned_qty"), "must not be negative"));
        }
        if item.product_id.parse::<ProductId>().is_err()
            || products::get(c, scope, &item.product_id)?.is_none()
        {
            return Err(invalid(format!("items[{i}].product_id"), "no such product"));
        }
        if let Some(slot) = &item.slot {
            match planograms::slot(c, scope, machine, slot)? {
                None => {
                    return Err(invalid(format!("items[{i}].slot"), "no such slot on the machine"));
                }
                Some(s) if s.product_id != item.product_id => {
                    return Err(invalid(
                        format!("items[{i}].product_id"),
                        "the slot holds another product",
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

pub(crate) fn invalid(field: impl Into<String>, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

pub(crate) fn item_rows(task: &str, items: &[NewItem]) -> Vec<ItemRow> {
    items
        .iter()
        .map(|i| ItemRow {
            id: uuid::Uuid::now_v7().to_string(),
            task_id: task.to_owned(),
            product_id: i.product_id.clone(),
            slot_code: i.slot.clone(),
            planned_qty: i.planned_qty,
            actual_qty: None,
        })
        .collect()
}

pub(crate) fn check_rows(task: &str, labels: &[String]) -> Vec<CheckRow> {
    labels
        .iter()
        .zip(1_i64..)
        .map(|(label, position)| CheckRow {
            id: uuid::Uuid::now_v7().to_string(),
            task_id: task.to_owned(),
            position,
            label: label.clone(),
            done: false,
            done_by: None,
            done_at: None,
        })
        .collect()
}

/// Inserts a new task (number from the organization's counter) with its items and checklist, inside the
/// caller's write transaction. `Err` when the machine, assignee, products or slots do not fit.
pub(crate) fn insert_task(
    c: &mut DbConn,
    scope: &TenantScope,
    created_by: Option<String>,
    t: &NewTask,
) -> Result<TaskRow, AppError> {
    let machine = t.machine_id.to_string();
    let Some(m) = machines::get(c, scope, &machine)? else {
        return Err(invalid("machine_id", "no such machine"));
    };
    if let Some(a) = t.assignee_id
        && users::role_in(c, scope, a)?.is_none()
    {
        return Err(invalid("assignee_id", "no such user"));
    }
    check_items(c, scope, &machine, &t.items)?;
    let now = vendhub_store::now();
    let seq = tasks::next_number(c, scope)?;
    let year = chrono::Datelike::year(&now);
    let id = uuid::Uuid::now_v7().to_string();
    let row = TaskRow {
        id: id.clone(),
        organization_id: scope.org().to_owned(),
        number: vendhub_domain::tasks::number(year, seq),
        task_type: t.task_type.as_str().into(),
        status: if t.assignee_id.is_some() {
            TaskStatus::Assigned
        } else {
            TaskStatus::Pending
        }
        .as_str()
        .into(),
        priority: t.priority.as_str().into(),
        machine_id: machine,
        assignee_id: t.assignee_id.map(|a| a.to_string()),
        created_by,
        title: t
            .title
            .clone()
            .unwrap_or_else(|| format!("{} {}", t.task_type, m.number)),
        description: t.description.clone(),
        due_at: t.due_at.map(|d| d.naive_utc()),
        requires_photos: t
            .requires_photos
            .unwrap_or_else(|| vendhub_domain::tasks::requires_photos_by_default(t.task_type)),
        status_reason: None,
        started_at: None,
        completed_at: None,
        completed_by: None,
        escalated_at: None,
        created_at: now,
        updated_at: now,
    };
    tasks::insert(c, scope, &row)?;
    tasks::insert_items(c, scope, &item_rows(&id, &t.items))?;
    tasks::replace_checklist(c, scope, &id, &check_rows(&id, &t.checklist))?;
    Ok(row)
}

/// Creates a task (a manager's).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    t: NewTask,
    meta: &RequestMeta,
) -> Result<TaskView, AppError> {
    if let Some(title) = &t.title
        && (title.trim().is_empty() || title.chars().count() > 200)
    {
        return Err(invalid("title", "must be 1 to 200 characters"));
    }
    if t.checklist
        .iter()
        .any(|l| l.trim().is_empty() || l.chars().count() > 200)
    {
        return Err(invalid("checklist", "each entry must be 1 to 200 characters"));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    let row = app
        .write(move |c| {
            let row = insert_task(c, who2.scope(), Some(who2.user_id().to_string()), &t)?;
            audit::append(
                c,
                &Record::new("task.create", "task", &row.id)
                    .by(&who2)
                    .from(&meta)
                    .after(Some(
                        serde_json::json!({ "number": row.number, "type": row.task_type }),
                    ))
                    .done(),
            )?;
            Ok(row)
        })
        .await?;
    publish(app, &row).await;
    view_of(app, who, row.id).await
}

/// Publishes `task:updated` for real-time clients.
pub(crate) async fn publish(app: &App, t: &TaskRow) {
    let event = DomainEvent::new(
        crate::events::TASK_UPDATED,
        &t.organization_id,
        Some(&t.machine_id),
        serde_json::json!({ "task_id": t.id, "number": t.number, "status": t.status,
            "task_type": t.task_type, "assignee_id": t.assignee_id }),
    );
    crate::events::publish(app, &event).await;
}

/// One task with its items, checklist and photos.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: TaskId) -> Result<TaskView, AppError> {
    view_of(app, who, id.to_string()).await
}

/// One task with its items, checklist and photos, by the id a row of it holds.
pub(crate) async fn view_of(app: &App, who: &Principal, id: String) -> Result<TaskView, AppError> {
    let scope = who.scope().clone();
    let found = app
        .db()
        .run(move |c| {
            let Some(t) = tasks::get(c, &scope, &id)? else {
                return Ok(None);
            };
            let items = tasks::items(c, &scope, &t.id)?;
            let checks = tasks::checklist(c, &scope, &t.id)?;
            let photos = tasks::photos(c, &scope, &t.id)?;
            Ok(Some((t, items, checks, photos)))
        })
        .await?;
    let (t, items, checks, ps) = found.ok_or(AppError::NotFound)?;
    let mut v = view(t);
    v.items = items.into_iter().map(item_view).collect();
    v.checklist = checks.into_iter().map(check_view).collect();
    v.photos = ps.into_iter().map(photos::photo_view).collect();
    Ok(v)
}

/// A page of the organization's tasks.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    query: TaskQuery,
    page: PageRequest,
) -> Result<Paged<TaskView>, AppError> {
    let scope = who.scope().clone();
    let filter = query.filter();
    let (rows, total) = app
        .db()
        .run(move |c| tasks::list(c, &scope, &filter, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(rows.into_iter().map(view).collect(), page, total))
}

/// Tasks per status, in the board's order; `mine` counts only the caller's.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn kanban(app: &App, who: &Principal, mine: bool) -> Result<Vec<(String, i64)>, AppError> {
    let scope = who.scope().clone();
    let me = mine.then(|| who.user_id().to_string());
    let counts = app
        .db()
        .run(move |c| tasks::count_by_status(c, &scope, me.as_deref()))
        .await?;
    Ok(TaskStatus::ALL
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(k, _)| k == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s.as_str().to_owned(), n)
        })
        .collect())
}
