//! `GET /api/v1/inventory/low-stock`: slots below their low-stock threshold.

use axum::extract::State;
use vendhub_app::stock::{self, LowSlot};

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::problem::ApiError;

/// Slots below their low-stock threshold, across the fleet.
#[utoipa::path(get, path = "/api/v1/inventory/low-stock", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [LowSlot])), extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn low_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<LowSlot>>, ApiError> {
    Ok(axum::Json(stock::low_stock(&s.app, &who).await?))
}
