//! A task's life: creating it, and its state changes (assign, start, postpone, cancel, complete, reject).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::tasks::{self, Change, CompleteRequest, ItemActual, NewTask, TaskView};
use vendhub_domain::ids::{MachineId, UserId};
use vendhub_domain::tasks::{Priority, TaskType};

use super::{ItemBody, bad, items, parse_or};
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::TaskId;

#[derive(Deserialize, ToSchema)]
pub struct CreateTaskBody {
    /// refill, collection, cleaning, repair, install, removal, audit, inspection, `replace_component`.
    task_type: String,
    machine_id: String,
    /// low, normal (default), high, urgent.
    priority: Option<String>,
    assignee_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Defaults by type: all but audits and inspections need before and after photos.
    requires_photos: Option<bool>,
    #[serde(default)]
    items: Vec<ItemBody>,
    /// Checklist entries, in order.
    #[serde(default)]
    checklist: Vec<String>,
}

/// Create a task (its number comes from the organization's sequence). With an assignee it starts assigned.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = CreateTaskBody, security(("bearer" = [])),
    responses((status = 201, body = TaskView), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Json(b): Json<CreateTaskBody>,
) -> Result<(StatusCode, axum::Json<TaskView>), ApiError> {
    let task_type = TaskType::parse(&b.task_type).ok_or_else(|| bad("task_type", "unknown task type"))?;
    let priority = parse_or(
        "priority",
        b.priority.as_deref(),
        Priority::parse,
        "must be low, normal, high or urgent",
    )?
    .unwrap_or(Priority::Normal);
    let machine_id: MachineId = b
        .machine_id
        .parse()
        .map_err(|_| bad("machine_id", "no such machine"))?;
    let assignee_id = parse_or(
        "assignee_id",
        b.assignee_id.as_deref(),
        |s| s.parse::<UserId>().ok(),
        "no such user",
    )?;
    let t = NewTask {
        task_type,
        priority,
        machine_id,
        assignee_id,
        title: b.title,
        description: b.description,
        due_at: b.due_at,
        requires_photos: b.requires_photos,
        items: items(b.items),
        checklist: b.checklist,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(tasks::create(&s.app, &who, t, &meta).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    assignee_id: String,
}

/// Assign (or reassign a postponed task). 409 with the current state when not allowed now.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/assign", tag = "tasks", params(("id" = String, Path)),
    request_body = AssignBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn assign(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<AssignBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    let user: UserId = b
        .assignee_id
        .parse()
        .map_err(|_| bad("assignee_id", "no such user"))?;
    Ok(axum::Json(
        tasks::act(&s.app, &who, id, Change::Assign(user), &meta).await?,
    ))
}

/// Start work (the assignee or a manager).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/start", tag = "tasks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn start(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::act(&s.app, &who, id, Change::Start, &meta).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct OptionalReasonBody {
    reason: Option<String>,
}

/// Postpone with a reason (the assignee or a manager).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/postpone", tag = "tasks", params(("id" = String, Path)),
    request_body = ReasonBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn postpone(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<ReasonBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::act(&s.app, &who, id, Change::Postpone(b.reason), &meta).await?,
    ))
}

/// Cancel an open task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "tasks", params(("id" = String, Path)),
    request_body = OptionalReasonBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 404, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn cancel(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<OptionalReasonBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    if b.reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(bad("reason", "must be at most 500 characters").into());
    }
    Ok(axum::Json(
        tasks::act(&s.app, &who, id, Change::Cancel(b.reason), &meta).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ActualBody {
    item_id: String,
    actual_qty: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteBody {
    /// Actual quantities (refill: moved into the slot; audit: counted in the slot). Items not named keep
    /// their planned quantity on a refill.
    #[serde(default)]
    items: Vec<ActualBody>,
    /// Counted cash, tiyin (collection tasks).
    counted: Option<i64>,
    bag_number: Option<String>,
}

/// Complete, in one transaction: refill moves stock operator → slots, collection records the cash,
/// audit posts the slot count differences. 422 names missing photo proof or the slot refused.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", params(("id" = String, Path)),
    request_body = CompleteBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
pub(super) async fn complete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<CompleteBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    let req = CompleteRequest {
        items: b
            .items
            .into_iter()
            .map(|i| ItemActual {
                item_id: i.item_id,
                actual_qty: i.actual_qty,
            })
            .collect(),
        counted: b.counted,
        bag_number: b.bag_number,
    };
    Ok(axum::Json(tasks::complete(&s.app, &who, id, req, &meta).await?))
}

/// Reject a completed task with a reason; what completion posted is reversed.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reject", tag = "tasks", params(("id" = String, Path)),
    request_body = ReasonBody, security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("tasks_manage"))))]
pub(super) async fn reject(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<TaskId>,
    Json(b): Json<ReasonBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::reject(&s.app, &who, id, b.reason, &meta).await?,
    ))
}
