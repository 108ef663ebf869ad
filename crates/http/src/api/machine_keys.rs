//! `/api/v1/machines/{id}/api-keys`: the keys a machine calls the gateway with.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::gateway::keys::{self, CreatedKey, KeyView};

use super::machines::machine_id;
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::MachineId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Deserialize, ToSchema)]
pub struct KeyBody {
    /// What the key is for, e.g. `telemetry box`.
    #[serde(default)]
    label: String,
}

/// A machine's API keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/machines/{id}/api-keys", tag = "gateway", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [KeyView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<KeyView>>, ApiError> {
    Ok(axum::Json(keys::list(&s.app, &who, id).await?))
}

/// Create an API key for a machine. The answer holds the whole key, shown this once.
#[utoipa::path(post, path = "/api/v1/machines/{id}/api-keys", tag = "gateway", params(("id" = String, Path)),
    request_body = KeyBody, security(("bearer" = [])),
    responses((status = 201, body = CreatedKey), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<KeyBody>,
) -> Result<(StatusCode, axum::Json<CreatedKey>), ApiError> {
    let created = keys::create(&s.app, &who, id, &b.label, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Revoke a machine's API key: it is refused from now on.
#[utoipa::path(delete, path = "/api/v1/machines/{id}/api-keys/{key_id}", tag = "gateway",
    params(("id" = String, Path), ("key_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = KeyView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
async fn revoke(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path((id, key_id)): Path<(String, String)>,
) -> Result<axum::Json<KeyView>, ApiError> {
    Ok(axum::Json(
        keys::revoke(&s.app, &who, machine_id(&id)?, key_id, &meta).await?,
    ))
}
