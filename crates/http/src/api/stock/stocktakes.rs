//! `/api/v1/inventory/stocktakes`: start, count and close stocktakes, and read them.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vendhub_app::stocktakes::{self, StocktakeView};
use vendhub_domain::ids::StocktakeId;

use super::holder;
use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct StocktakeBody {
    /// The holder to count: `warehouse:<id>`, `operator:<user id>` or `slot:<machine id>:<slot>`.
    holder: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CountLine {
    product_id: String,
    counted: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct CountsBody {
    counts: Vec<CountLine>,
}

/// Stocktakes, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/stocktakes", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [StocktakeView])), extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn list_stocktakes(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
) -> Result<axum::Json<Vec<StocktakeView>>, ApiError> {
    Ok(axum::Json(stocktakes::list(&s.app, &who).await?))
}

/// Start counting a holder's stock.
#[utoipa::path(post, path = "/api/v1/inventory/stocktakes", tag = "inventory", request_body = StocktakeBody, security(("bearer" = [])),
    responses((status = 201, body = StocktakeView), (status = 400, body = Problem)), extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn start_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<StocktakeBody>,
) -> Result<(StatusCode, axum::Json<StocktakeView>), ApiError> {
    let h = holder("holder", &b.holder)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(stocktakes::start(&s.app, &who, h, &meta).await?),
    ))
}

/// One stocktake with its counts and, once closed, its differences.
#[utoipa::path(get, path = "/api/v1/inventory/stocktakes/{id}", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = StocktakeView), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn get_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Path(id): Path<StocktakeId>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    Ok(axum::Json(stocktakes::get(&s.app, &who, id).await?))
}

/// Enter counted quantities (a later count of a product replaces the earlier one).
#[utoipa::path(put, path = "/api/v1/inventory/stocktakes/{id}/counts", tag = "inventory", params(("id" = String, Path)),
    request_body = CountsBody, security(("bearer" = [])),
    responses((status = 200, body = StocktakeView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn count_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Path(id): Path<StocktakeId>,
    Json(b): Json<CountsBody>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    let counts = b.counts.into_iter().map(|c| (c.product_id, c.counted)).collect();
    Ok(axum::Json(stocktakes::count(&s.app, &who, id, counts).await?))
}

/// Close: every difference becomes an adjustment movement valued at cost (shortage or surplus).
#[utoipa::path(post, path = "/api/v1/inventory/stocktakes/{id}/close", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = StocktakeView), (status = 404, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
pub(super) async fn close_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Path(id): Path<StocktakeId>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    Ok(axum::Json(stocktakes::close(&s.app, &who, id, &meta).await?))
}
