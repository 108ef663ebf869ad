//! `GET /api/v1/inventory/warehouse` and `/operator`: the stock of warehouses and operators.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::AppError;
use vendhub_app::stock::{self, BalanceView, HolderName};
use vendhub_domain::ids::{UserId, WarehouseId};

use crate::HttpState;
use crate::extract::{Allowed, Auth, perm};
use crate::params::Query;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, IntoParams)]
pub struct WarehouseQuery {
    /// One warehouse; all when absent.
    warehouse_id: Option<String>,
}

/// Warehouse stock with value at average cost (runbook smoke test).
#[utoipa::path(get, path = "/api/v1/inventory/warehouse", tag = "inventory", params(WarehouseQuery), security(("bearer" = [])),
    responses((status = 200, body = [BalanceView]), (status = 404, body = Problem, description = "no such warehouse in your organization")),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn warehouse_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<WarehouseQuery>,
) -> Result<axum::Json<Vec<BalanceView>>, ApiError> {
    let w = match q.warehouse_id {
        Some(id) => Some(id.parse::<WarehouseId>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    Ok(axum::Json(stock::warehouse_stock(&s.app, &who, w).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct OperatorQuery {
    /// Another operator (needs stock read permission); yourself when absent.
    operator_id: Option<String>,
}

/// An operator's stock (yours by default).
#[utoipa::path(get, path = "/api/v1/inventory/operator", tag = "inventory", params(OperatorQuery), security(("bearer" = [])),
    responses((status = 200, body = [BalanceView]), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "no such operator in your organization")),
    extensions(("x-permission" = json!("authenticated"))))]
pub(super) async fn operator_stock(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Query(q): Query<OperatorQuery>,
) -> Result<axum::Json<Vec<BalanceView>>, ApiError> {
    let op = match q.operator_id {
        Some(id) => Some(id.parse::<UserId>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    Ok(axum::Json(stock::operator_stock(&s.app, &who, op).await?))
}

/// Every operator's (person's) stock at once, with value at average cost.
#[utoipa::path(get, path = "/api/v1/inventory/operators", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [BalanceView]), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn operators_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
) -> Result<axum::Json<Vec<BalanceView>>, ApiError> {
    Ok(axum::Json(stock::operators_stock(&s.app, &who).await?))
}

/// Who can hold stock, by name: the warehouses, then the organization's people (`operator:<user id>`).
#[utoipa::path(get, path = "/api/v1/inventory/holders", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [HolderName]), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn holders(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
) -> Result<axum::Json<Vec<HolderName>>, ApiError> {
    Ok(axum::Json(stock::holders(&s.app, &who).await?))
}
