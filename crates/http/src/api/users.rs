//! `/api/v1/users`: the people of the caller's organization.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::paging::PageRequest;
use vendhub_app::users::{self, Member, MemberPatch, NewMember};
use vendhub_domain::ids::UserId;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(suspend))
        .routes(routes!(activate))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    page: Option<i64>,
    limit: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUserBody {
    email: String,
    full_name: String,
    password: String,
    /// owner, admin, manager, accountant, warehouse, operator or viewer.
    role: String,
}

/// Members of your organization.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [Member], meta}`"), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<vendhub_app::paging::Paged<Member>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    Ok(axum::Json(users::list(&s.app, &who, page).await?))
}

/// Add a member with a role (only an owner may add an owner).
///
/// When the address already has a VendHub account (in another organization), the answer is the same,
/// but the account is not touched: its owner gets an invitation by e-mail and joins with their own
/// password, and appears among the members once they accept. 409 only for an address that is already a
/// member of this organization.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserBody, security(("bearer" = [])),
    responses((status = 201, body = Member), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Json(b): Json<CreateUserBody>,
) -> Result<(StatusCode, axum::Json<Member>), ApiError> {
    let new = NewMember {
        email: b.email,
        full_name: b.full_name,
        password: b.password,
        role: b.role,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(users::create(&s.app, &who, new, &meta).await?),
    ))
}

/// Suspend a member: their tokens stop working at their next request.
#[utoipa::path(post, path = "/api/v1/users/{id}/suspend", tag = "users", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204, description = "suspended"), (status = 403, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn suspend(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    users::suspend(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PatchBody {
    full_name: Option<String>,
    role: Option<String>,
}

/// One member.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Member), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Path(id): Path<UserId>,
) -> Result<axum::Json<Member>, ApiError> {
    Ok(axum::Json(users::get(&s.app, &who, id).await?))
}

/// Rename a member or change their role.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), request_body = PatchBody,
    security(("bearer" = [])),
    responses((status = 200, body = Member), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "your own role, or the name of a person other organizations share"),
        (status = 404, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn update(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Path(id): Path<UserId>,
    Json(b): Json<PatchBody>,
) -> Result<axum::Json<Member>, ApiError> {
    let patch = MemberPatch {
        full_name: b.full_name,
        role: b.role,
    };
    Ok(axum::Json(users::update(&s.app, &who, id, patch, &meta).await?))
}

/// Delete a member (soft: history stays in the audit log).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "you cannot delete yourself")),
    extensions(("x-permission" = json!("users_manage"))))]
async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    users::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Let a suspended member sign in again.
#[utoipa::path(post, path = "/api/v1/users/{id}/activate", tag = "users", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204, description = "active"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn activate(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    users::activate(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
