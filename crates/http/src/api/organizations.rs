//! `/api/v1/organizations`: yours, a new one, and the current one's settings.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::organizations::{self, OrganizationInput, OrganizationView};

use crate::HttpState;
use crate::extract::{Allowed, Auth, Json, Meta, perm};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(mine, create)).routes(routes!(
        current,
        update_current,
        delete_current
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct OrganizationBody {
    name: String,
    /// IANA time zone, default Asia/Tashkent.
    timezone: Option<String>,
    /// uz, ru or en (default uz).
    language: Option<String>,
}

impl From<OrganizationBody> for OrganizationInput {
    fn from(b: OrganizationBody) -> Self {
        Self {
            name: b.name,
            timezone: b.timezone.unwrap_or_else(|| "Asia/Tashkent".into()),
            language: b.language.unwrap_or_else(|| "uz".into()),
        }
    }
}

/// The organizations you belong to, with your role in each.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    responses((status = 200, body = [OrganizationView]), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn mine(
    State(s): State<HttpState>,
    Auth(who): Auth,
) -> Result<axum::Json<Vec<OrganizationView>>, ApiError> {
    Ok(axum::Json(organizations::mine(&s.app, &who).await?))
}

/// Create another organization you own (owners only).
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    request_body = OrganizationBody,
    responses((status = 201, body = OrganizationView), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "an organization with this name exists")),
    extensions(("x-permission" = json!("organization_create"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::OrganizationCreate>,
    Meta(meta): Meta,
    Json(b): Json<OrganizationBody>,
) -> Result<(StatusCode, axum::Json<OrganizationView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(organizations::create(&s.app, &who, b.into(), &meta).await?),
    ))
}

/// The organization you act in now.
#[utoipa::path(get, path = "/api/v1/organizations/current", tag = "organizations", security(("bearer" = [])),
    responses((status = 200, body = OrganizationView)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn current(
    State(s): State<HttpState>,
    Auth(who): Auth,
) -> Result<axum::Json<OrganizationView>, ApiError> {
    Ok(axum::Json(organizations::current(&s.app, &who).await?))
}

/// Change the current organization's name, time zone and language.
#[utoipa::path(patch, path = "/api/v1/organizations/current", tag = "organizations", security(("bearer" = [])),
    request_body = OrganizationBody,
    responses((status = 200, body = OrganizationView), (status = 400, body = Problem), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("settings_manage"))))]
async fn update_current(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::SettingsManage>,
    Meta(meta): Meta,
    Json(b): Json<OrganizationBody>,
) -> Result<axum::Json<OrganizationView>, ApiError> {
    Ok(axum::Json(
        organizations::update(&s.app, &who, b.into(), &meta).await?,
    ))
}

/// Delete the current organization (owners only). Every session in it ends; its records stay.
#[utoipa::path(delete, path = "/api/v1/organizations/current", tag = "organizations", security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("organization_delete"))))]
async fn delete_current(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::OrganizationDelete>,
    Meta(meta): Meta,
) -> Result<StatusCode, ApiError> {
    organizations::delete(&s.app, &who, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
