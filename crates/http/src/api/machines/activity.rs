//! What a machine did lately: sales, telemetry, the last DEX audit.

use axum::extract::State;
use vendhub_app::machines::{self, MachineActivity};
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

/// The machine's latest sales and telemetry readings (newest first) and its last DEX audit.
#[utoipa::path(get, path = "/api/v1/machines/{id}/activity", tag = "machines", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = MachineActivity), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn activity(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<MachineActivity>, ApiError> {
    Ok(axum::Json(machines::activity(&s.app, &who, id).await?))
}
