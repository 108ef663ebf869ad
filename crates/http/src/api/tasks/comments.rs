//! A task's comments: reading them and adding one.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::tasks::{self, CommentView};

use crate::HttpState;
use crate::extract::{Allowed, Json, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::TaskId;

/// The task's comments, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "tasks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [CommentView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn list_comments(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<TaskId>,
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
pub(super) async fn add_comment(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::TasksWorkOwn>,
    Path(id): Path<TaskId>,
    Json(b): Json<CommentBody>,
) -> Result<(StatusCode, axum::Json<CommentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(tasks::add_comment(&s.app, &who, id, b.body).await?),
    ))
}
