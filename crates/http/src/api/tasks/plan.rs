//! What an open task plans: its checklist (replaced by a manager, ticked by the assignee) and its items.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::tasks::{self, CheckItem, TaskView};

use super::{ItemBody, items};
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::TaskId;

#[derive(Deserialize, ToSchema)]
pub struct ChecklistBody {
    checklist: Vec<String>,
}

/// Replace the checklist of an open task.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/checklist", tag = "tasks", params(("id" = String, Path)),
    request_body = ChecklistBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn set_checklist(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<ChecklistBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::set_checklist(&s.app, &who, id, b.checklist, &meta).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TickBody {
    position: i64,
    done: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct TicksBody {
    checks: Vec<TickBody>,
}

/// Tick or untick checklist entries (the assignee or a manager).
#[utoipa::path(patch, path = "/api/v1/tasks/{id}/checklist", tag = "tasks", params(("id" = String, Path)),
    request_body = TicksBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn tick_checklist(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<TaskId>,
    Json(b): Json<TicksBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    let checks = b
        .checks
        .into_iter()
        .map(|c| CheckItem {
            position: c.position,
            done: c.done,
        })
        .collect();
    Ok(axum::Json(tasks::set_check(&s.app, &who, id, checks).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ItemsBody {
    items: Vec<ItemBody>,
}

/// Replace the planned items of an open task.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/items", tag = "tasks", params(("id" = String, Path)),
    request_body = ItemsBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn set_items(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<ItemsBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::set_items(&s.app, &who, id, items(b.items), &meta).await?,
    ))
}
