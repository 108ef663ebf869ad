//! Where machines stand: the map, and moves between locations with their history.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::machines::{self, MachineView, MapPoint, MoveView};
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The new location; null puts the machine in storage.
    location_id: Option<String>,
}

/// Every machine with its status and coordinates, for the map.
#[utoipa::path(get, path = "/api/v1/machines/map", tag = "machines", security(("bearer" = [])),
    responses((status = 200, body = [MapPoint])), extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn map(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<MapPoint>>, ApiError> {
    Ok(axum::Json(machines::map(&s.app, &who).await?))
}

/// Move a machine to another location.
#[utoipa::path(post, path = "/api/v1/machines/{id}/move", tag = "machines", params(("id" = String, Path)), request_body = MoveBody,
    security(("bearer" = [])),
    responses((status = 200, body = MachineView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("fleet_manage"))))]
pub(super) async fn move_machine(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetManage>,
    Meta(meta): Meta,
    Path(id): Path<MachineId>,
    Json(b): Json<MoveBody>,
) -> Result<axum::Json<MachineView>, ApiError> {
    Ok(axum::Json(
        machines::move_to(&s.app, &who, id, b.location_id, &meta).await?,
    ))
}

/// Where the machine has stood, newest move first.
#[utoipa::path(get, path = "/api/v1/machines/{id}/moves", tag = "machines", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [MoveView]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn moves(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<MoveView>>, ApiError> {
    Ok(axum::Json(machines::moves(&s.app, &who, id).await?))
}
