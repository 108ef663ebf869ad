//! Reading tasks: the list with filters, the caller's own, counts per status for the board, and one task.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::AppError;
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::tasks::{self, Assignee, TaskQuery, TaskView};
use vendhub_domain::tasks::{Priority, TaskStatus, TaskType};

use super::parse_or;
use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::TaskId;

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    page: Option<i64>,
    limit: Option<i64>,
    status: Option<String>,
    task_type: Option<String>,
    machine_id: Option<String>,
    assignee_id: Option<String>,
    priority: Option<String>,
    /// Due before this time (RFC 3339).
    due_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Only open tasks (pending, assigned, in progress, postponed).
    open: Option<bool>,
}

fn filter(q: &ListQuery) -> Result<TaskQuery, AppError> {
    let status = parse_or("status", q.status.as_deref(), TaskStatus::parse, "unknown status")?;
    let task_type = parse_or(
        "task_type",
        q.task_type.as_deref(),
        TaskType::parse,
        "unknown task type",
    )?;
    let priority = parse_or(
        "priority",
        q.priority.as_deref(),
        Priority::parse,
        "unknown priority",
    )?;
    Ok(TaskQuery {
        status,
        task_type,
        machine_id: q.machine_id.clone(),
        assignee_id: q.assignee_id.clone(),
        priority,
        due_before: q.due_before,
        open_only: q.open.unwrap_or(false),
    })
}

/// Tasks, newest first, with filters.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [TaskView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<TaskView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let f = filter(&q)?;
    Ok(axum::Json(tasks::list(&s.app, &who, f, page).await?))
}

/// The caller's own tasks (as assignee), newest first, with the same filters.
#[utoipa::path(get, path = "/api/v1/tasks/my", tag = "tasks", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [TaskView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn my(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<TaskView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let mut f = filter(&q)?;
    f.assignee_id = Some(who.user_id().to_string());
    Ok(axum::Json(tasks::list(&s.app, &who, f, page).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct KanbanQuery {
    /// Count only the caller's tasks.
    mine: Option<bool>,
}

/// Tasks per status (the board's columns): `{"pending": 3, "assigned": 1, …}`.
#[utoipa::path(get, path = "/api/v1/tasks/kanban", tag = "tasks", params(KanbanQuery), security(("bearer" = [])),
    responses((status = 200, description = "counts per status")),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn kanban(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<KanbanQuery>,
) -> Result<axum::Json<serde_json::Map<String, serde_json::Value>>, ApiError> {
    let counts = tasks::kanban(&s.app, &who, q.mine.unwrap_or(false)).await?;
    Ok(axum::Json(
        counts
            .into_iter()
            .map(|(k, n)| (k, serde_json::json!(n)))
            .collect(),
    ))
}

/// One task with its items, checklist and photos.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn get(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<TaskId>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(tasks::get(&s.app, &who, id).await?))
}

/// Who tasks may be assigned to: active members whose role works on tasks, operators first.
#[utoipa::path(get, path = "/api/v1/tasks/assignees", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = [Assignee])),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn assignees(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<Assignee>>, ApiError> {
    Ok(axum::Json(tasks::assignees(&s.app, &who).await?))
}
