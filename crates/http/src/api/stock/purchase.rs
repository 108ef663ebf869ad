//! `POST /api/v1/inventory/purchases`: stock received into a warehouse.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::AppError;
use vendhub_app::stock::{self, MovementView, Purchase};
use vendhub_domain::ids::WarehouseId;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct PurchaseBody {
    warehouse_id: String,
    product_id: String,
    quantity: i64,
    /// Tiyin per unit; enters the warehouse's moving average cost.
    unit_cost: i64,
}

/// Receive stock into a warehouse.
#[utoipa::path(post, path = "/api/v1/inventory/purchases", tag = "inventory", request_body = PurchaseBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn purchase(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<PurchaseBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let warehouse: WarehouseId = b.warehouse_id.parse().map_err(|_| AppError::NotFound)?;
    let req = Purchase {
        warehouse,
        product_id: b.product_id,
        quantity: b.quantity,
        unit_cost: b.unit_cost,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(stock::purchase(&s.app, &who, req, &meta).await?),
    ))
}
