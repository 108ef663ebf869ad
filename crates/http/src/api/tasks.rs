//! `/api/v1/tasks`: field tasks, their state changes, notes and photo proof.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::tasks::{
    self, Change, CheckItem, CommentView, CompleteRequest, ItemActual, NewItem, NewPhoto, NewTask, PhotoView,
    TaskFilter, TaskView,
};
use vendhub_domain::ids::{MachineId, UserId};
use vendhub_domain::tasks::{PhotoCategory, Priority, TaskStatus, TaskType};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(my))
        .routes(routes!(kanban))
        .routes(routes!(get))
        .routes(routes!(assign))
        .routes(routes!(start))
        .routes(routes!(postpone))
        .routes(routes!(cancel))
        .routes(routes!(complete))
        .routes(routes!(reject))
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(set_checklist, tick_checklist))
        .routes(routes!(set_items))
        .routes(routes!(add_photo))
}

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

fn parse_or<T>(
    field: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    msg: &str,
) -> Result<Option<T>, AppError> {
    v.map(|s| parse(s).ok_or_else(|| bad(field, msg))).transpose()
}

#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    product_id: String,
    /// The machine slot (`A1`) the item is for.
    slot: Option<String>,
    planned_qty: i64,
}

fn items(v: Vec<ItemBody>) -> Vec<NewItem> {
    v.into_iter()
        .map(|i| NewItem {
            product_id: i.product_id,
            slot: i.slot,
            planned_qty: i.planned_qty,
        })
        .collect()
}

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
async fn create(
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

fn filter(q: &ListQuery) -> Result<TaskFilter, AppError> {
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
    Ok(TaskFilter {
        status: status.map(|s| s.as_str().into()),
        task_type: task_type.map(|s| s.as_str().into()),
        machine_id: q.machine_id.clone(),
        assignee_id: q.assignee_id.clone(),
        priority: priority.map(|s| s.as_str().into()),
        due_before: q.due_before.map(|t| t.naive_utc()),
        open_only: q.open.unwrap_or(false),
    })
}

/// Tasks, newest first, with filters.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [TaskView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn list(
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
async fn my(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<TaskView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let mut f = filter(&q)?;
    f.assignee_id = Some(who.user_id.to_string());
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
async fn kanban(
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
async fn get(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(tasks::get(&s.app, &who, id).await?))
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
async fn assign(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn start(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn postpone(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn cancel(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn complete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn reject(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Json(b): Json<ReasonBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::reject(&s.app, &who, id, b.reason, &meta).await?,
    ))
}

/// The task's comments, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [CommentView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn list_comments(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<CommentView>>, ApiError> {
    Ok(axum::Json(tasks::comments(&s.app, &who, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    body: String,
}

/// Comment on a task (its assignee or a manager).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)),
    request_body = CommentBody, security(("bearer" = [])),
    responses((status = 201, body = CommentView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
async fn add_comment(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<String>,
    Json(b): Json<CommentBody>,
) -> Result<(StatusCode, axum::Json<CommentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(tasks::add_comment(&s.app, &who, id, b.body).await?),
    ))
}

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
async fn set_checklist(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<String>,
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
async fn tick_checklist(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<String>,
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
async fn set_items(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksManage>,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Json(b): Json<ItemsBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    Ok(axum::Json(
        tasks::set_items(&s.app, &who, id, items(b.items), &meta).await?,
    ))
}

/// Multipart form of a photo upload.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the multipart form for the OpenAPI document")]
pub struct PhotoForm {
    /// before, after or during.
    category: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// The image: JPEG, PNG or WebP (checked by content), at most `MAX_FILE_SIZE` bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn multipart_error(e: &axum::extract::multipart::MultipartError, limit: usize) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge {
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    } else {
        bad("file", &format!("malformed multipart form: {}", e.body_text()))
    }
}

/// Parses the form into a photo (fields `category`, `latitude`, `longitude`, `file`).
async fn read_form(mut form: Multipart, limit: usize) -> Result<NewPhoto, AppError> {
    let (mut category, mut lat, mut lon, mut file) = (None, None, None, None);
    let number = |field: &str, text: &str| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(field, "must be a number"))
    };
    while let Some(field) = form.next_field().await.map_err(|e| multipart_error(&e, limit))? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.map_err(|e| multipart_error(&e, limit))?;
        let text = || String::from_utf8_lossy(&data).into_owned();
        match name.as_str() {
            "category" => {
                category = Some(
                    PhotoCategory::parse(text().trim())
                        .ok_or_else(|| bad("category", "must be before, after or during"))?,
                );
            }
            "latitude" => lat = Some(number("latitude", &text())?),
            "longitude" => lon = Some(number("longitude", &text())?),
            "file" | "photo" => file = Some(data),
            _ => {}
        }
    }
    Ok(NewPhoto {
        category: category.ok_or_else(|| bad("category", "is required"))?,
        latitude: lat,
        longitude: lon,
        bytes: file.ok_or_else(|| bad("file", "is required"))?,
    })
}

/// Upload a photo (multipart: `category` before|after|during, optional `latitude`/`longitude`, `file`),
/// bound to the task with the server's time.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/photos", tag = "tasks", params(("id" = String, Path)),
    request_body(content = PhotoForm, content_type = "multipart/form-data"), security(("bearer" = [])),
    responses((status = 201, body = PhotoView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem)),
    extensions(("x-permission" = json!("tasks_work_own"))))]
async fn add_photo(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, axum::Json<PhotoView>), ApiError> {
    let form = form.map_err(|_| AppError::UnsupportedType("send the photo as multipart/form-data".into()))?;
    let photo = read_form(form, s.config.upload_limit).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(tasks::add_photo(&s.app, &who, id, photo).await?),
    ))
}
