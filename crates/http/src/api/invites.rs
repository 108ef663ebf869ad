//! `/api/v1/invites`: invite people with a role; accept an invitation.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::invites::{self, Acceptance, InviteView};
use vendhub_app::users::Member;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(accept))
}

#[derive(Deserialize, ToSchema)]
pub struct InviteBody {
    role: String,
    /// When given, the invitation is e-mailed and only this address can accept it.
    email: Option<String>,
    /// Default 72, at most 720.
    expires_in_hours: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptBody {
    code: String,
    email: String,
    full_name: String,
    password: String,
}

/// Invitations of your organization.
#[utoipa::path(get, path = "/api/v1/invites", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [InviteView]), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
) -> Result<axum::Json<Vec<InviteView>>, ApiError> {
    Ok(axum::Json(invites::list(&s.app, &who).await?))
}

/// Invite someone with a role; answers the one-time code (shown once).
#[utoipa::path(post, path = "/api/v1/invites", tag = "users", security(("bearer" = [])), request_body = InviteBody,
    responses((status = 201, body = InviteView), (status = 400, body = Problem), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("users_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::UsersManage>,
    Meta(meta): Meta,
    Json(b): Json<InviteBody>,
) -> Result<(StatusCode, axum::Json<InviteView>), ApiError> {
    let view = invites::create(&s.app, &who, &b.role, b.email, b.expires_in_hours, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Accept an invitation: creates your account in the organization.
#[utoipa::path(post, path = "/api/v1/invites/accept", tag = "users", request_body = AcceptBody,
    responses((status = 201, body = Member), (status = 400, body = Problem),
        (status = 401, body = Problem, description = "the e-mail has an account and the password is not its password"),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn accept(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<AcceptBody>,
) -> Result<(StatusCode, axum::Json<Member>), ApiError> {
    let a = Acceptance {
        code: b.code,
        email: b.email,
        full_name: b.full_name,
        password: b.password,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(invites::accept(&s.app, a, &meta).await?),
    ))
}
