//! `/api/v1/inventory`: the stock ledger's routes (purchases, transfers, write-offs, the stock of
//! warehouses, operators and machines, the movements, stocktakes and the pre-kit). One file per action;
//! this module registers their routes and parses the holders they share. The URLs and the OpenAPI tag
//! keep the name `inventory`; the code's name for the area is `stock` in every layer.

mod balances;
mod low_stock;
mod machine_stock;
mod movements;
mod prekit;
mod purchase;
mod stocktakes;
mod transfer;
mod write_off;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_domain::stock::Holder;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(purchase::purchase))
        .routes(routes!(transfer::transfer))
        .routes(routes!(write_off::write_off))
        .routes(routes!(balances::warehouse_stock))
        .routes(routes!(balances::operator_stock))
        .routes(routes!(balances::operators_stock))
        .routes(routes!(balances::holders))
        .routes(routes!(movements::movements))
        .routes(routes!(stocktakes::list_stocktakes, stocktakes::start_stocktake))
        .routes(routes!(stocktakes::get_stocktake))
        .routes(routes!(stocktakes::count_stocktake))
        .routes(routes!(stocktakes::close_stocktake))
        .routes(routes!(prekit::prekit))
        .routes(routes!(machine_stock::machine_stock))
        .routes(routes!(low_stock::low_stock))
}

/// A holder's text (`warehouse:<id>`, `operator:<user id>`, `slot:<machine id>:<slot>`) as a
/// [`Holder`]; a malformed one is 400 naming `field`.
pub(super) fn holder(field: &str, text: &str) -> Result<Holder, AppError> {
    text.parse().map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            field,
            "must be warehouse:<id>, operator:<user id> or slot:<machine id>:<slot>",
        )])
    })
}
