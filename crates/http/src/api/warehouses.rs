//! `/api/v1/warehouses`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::warehouses::{self, WarehouseView};

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::WarehouseId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
}

#[derive(Deserialize, ToSchema)]
pub struct WarehouseBody {
    name: String,
    #[serde(default)]
    address: String,
}

/// Warehouses of the organization.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [WarehouseView])), extensions(("x-permission" = json!("stock_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
) -> Result<axum::Json<Vec<WarehouseView>>, ApiError> {
    Ok(axum::Json(warehouses::list(&s.app, &who).await?))
}

/// Add a warehouse.
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "inventory", request_body = WarehouseBody, security(("bearer" = [])),
    responses((status = 201, body = WarehouseView), (status = 400, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn create(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<WarehouseBody>,
) -> Result<(StatusCode, axum::Json<WarehouseView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(warehouses::create(&s.app, &who, &b.name, &b.address, &meta).await?),
    ))
}

/// One warehouse.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}", tag = "inventory", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = WarehouseView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Path(id): Path<WarehouseId>,
) -> Result<axum::Json<WarehouseView>, ApiError> {
    Ok(axum::Json(warehouses::get(&s.app, &who, id).await?))
}

/// Rename a warehouse or change its address.
#[utoipa::path(put, path = "/api/v1/warehouses/{id}", tag = "inventory", params(("id" = String, Path)), request_body = WarehouseBody,
    security(("bearer" = [])),
    responses((status = 200, body = WarehouseView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn update(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Path(id): Path<WarehouseId>,
    Json(b): Json<WarehouseBody>,
) -> Result<axum::Json<WarehouseView>, ApiError> {
    Ok(axum::Json(
        warehouses::update(&s.app, &who, id, &b.name, &b.address, &meta).await?,
    ))
}

/// Delete an empty warehouse.
#[utoipa::path(delete, path = "/api/v1/warehouses/{id}", tag = "inventory", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "deleted"), (status = 404, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn delete(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Path(id): Path<WarehouseId>,
) -> Result<StatusCode, ApiError> {
    warehouses::delete(&s.app, &who, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
