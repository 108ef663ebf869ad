//! `/api/v1/machines`: the fleet. The handlers live by sub-area: `list` (the filtered, sorted list),
//! `details` (add, read, replace, remove one machine), `moves` (the map and moves between locations), `qr`,
//! `stock` (a machine's slot stock) and `planogram`; this module registers their routes and holds what they
//! share.

mod activity;
mod details;
pub(crate) mod list;
mod moves;
mod planogram;
mod qr;
mod stock;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_domain::ids::MachineId;

use crate::HttpState;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list::list, details::create))
        .routes(routes!(moves::map))
        .routes(routes!(details::get_one, details::update, details::delete))
        .routes(routes!(moves::move_machine))
        .routes(routes!(moves::moves))
        .routes(routes!(qr::qr))
        .routes(routes!(activity::activity))
        .routes(routes!(stock::stock))
        .routes(routes!(planogram::get_planogram, planogram::put_planogram))
        .routes(routes!(planogram::copy_planogram))
        .routes(routes!(planogram::save_as_template))
        .routes(routes!(planogram::put_slot))
}

/// A path id that is not a UUID is bad input (400), not a missing record.
pub(crate) fn machine_id(id: &str) -> Result<MachineId, ApiError> {
    id.parse()
        .map_err(|_| ApiError(AppError::Validation(vec![FieldError::new("id", "not a UUID")])))
}
