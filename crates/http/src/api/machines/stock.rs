//! The stock in a machine's slots.

use axum::extract::State;
use vendhub_app::stock::{self, SlotStock};
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

/// The machine's slots with their stock, capacity, par level and fill.
#[utoipa::path(get, path = "/api/v1/machines/{id}/inventory", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [SlotStock]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<SlotStock>>, ApiError> {
    Ok(axum::Json(stock::machine_stock(&s.app, &who, id).await?))
}
