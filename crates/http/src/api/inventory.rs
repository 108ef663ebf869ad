//! `/api/v1/inventory`: purchases, transfers, write-offs, and the stock of warehouses and operators.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::inventory::MovementFilter;
use vendhub_app::inventory::{self, BalanceView, LowSlot, MovementRequest, MovementView, SlotStock};
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_app::prekit::Prekit;
use vendhub_app::stocktakes::{self, StocktakeView};
use vendhub_domain::ids::{UserId, WarehouseId};
use vendhub_domain::stock::{Holder, MovementKind, WriteOffReason};

use crate::HttpState;
use crate::extract::{Allowed, Auth, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::{MachineId, StocktakeId};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(purchase))
        .routes(routes!(transfer))
        .routes(routes!(write_off))
        .routes(routes!(warehouse_stock))
        .routes(routes!(operator_stock))
        .routes(routes!(movements))
        .routes(routes!(list_stocktakes, start_stocktake))
        .routes(routes!(get_stocktake))
        .routes(routes!(count_stocktake))
        .routes(routes!(close_stocktake))
        .routes(routes!(prekit))
        .routes(routes!(machine_stock))
        .routes(routes!(low_stock))
}

/// A machine's slots with their stock (the same as `/api/v1/machines/{id}/inventory`).
#[utoipa::path(get, path = "/api/v1/inventory/machine/{id}", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = [SlotStock]), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
async fn machine_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Path(id): Path<MachineId>,
) -> Result<axum::Json<Vec<SlotStock>>, ApiError> {
    Ok(axum::Json(inventory::machine_stock(&s.app, &who, id).await?))
}

/// Slots below their low-stock threshold, across the fleet.
#[utoipa::path(get, path = "/api/v1/inventory/low-stock", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = [LowSlot])), extensions(("x-permission" = json!("fleet_read"))))]
async fn low_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
) -> Result<axum::Json<Vec<LowSlot>>, ApiError> {
    Ok(axum::Json(inventory::low_stock(&s.app, &who).await?))
}

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
async fn list_stocktakes(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
) -> Result<axum::Json<Vec<StocktakeView>>, ApiError> {
    Ok(axum::Json(stocktakes::list(&s.app, &who).await?))
}

/// Start counting a holder's stock.
#[utoipa::path(post, path = "/api/v1/inventory/stocktakes", tag = "inventory", request_body = StocktakeBody, security(("bearer" = [])),
    responses((status = 201, body = StocktakeView), (status = 400, body = Problem)), extensions(("x-permission" = json!("stock_manage"))))]
async fn start_stocktake(
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
async fn get_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Path(id): Path<StocktakeId>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    Ok(axum::Json(stocktakes::get(&s.app, &who, id.to_string()).await?))
}

/// Enter counted quantities (a later count of a product replaces the earlier one).
#[utoipa::path(put, path = "/api/v1/inventory/stocktakes/{id}/counts", tag = "inventory", params(("id" = String, Path)),
    request_body = CountsBody, security(("bearer" = [])),
    responses((status = 200, body = StocktakeView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn count_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Path(id): Path<StocktakeId>,
    Json(b): Json<CountsBody>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    let counts = b.counts.into_iter().map(|c| (c.product_id, c.counted)).collect();
    Ok(axum::Json(
        stocktakes::count(&s.app, &who, id.to_string(), counts).await?,
    ))
}

/// Close: every difference becomes an adjustment movement valued at cost (shortage or surplus).
#[utoipa::path(post, path = "/api/v1/inventory/stocktakes/{id}/close", tag = "inventory", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = StocktakeView), (status = 404, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn close_stocktake(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Path(id): Path<StocktakeId>,
) -> Result<axum::Json<StocktakeView>, ApiError> {
    Ok(axum::Json(
        stocktakes::close(&s.app, &who, id.to_string(), &meta).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct PrekitQuery {
    /// Comma-separated machine ids.
    machine_ids: Option<String>,
    /// Or: every machine this operator (user id) is assigned to — their route.
    operator_id: Option<String>,
    /// Or: the machines with an open refill task due on this day (`YYYY-MM-DD`, UTC); with
    /// `operator_id`, only the tasks assigned to that operator.
    date: Option<String>,
}

/// What each slot of the chosen machines needs to reach par, and the pick list per product. Slots whose
/// balance is unknown are estimated from the last 28 days of sales × days since the last refill.
#[utoipa::path(get, path = "/api/v1/inventory/prekit", tag = "inventory", params(PrekitQuery), security(("bearer" = [])),
    responses((status = 200, body = Prekit), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
async fn prekit(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<PrekitQuery>,
) -> Result<axum::Json<Prekit>, ApiError> {
    use vendhub_app::prekit::Selection;
    let operator = q
        .operator_id
        .map(|op| {
            op.trim()
                .parse()
                .map_err(|_| AppError::Validation(vec![FieldError::new("operator_id", "must be a user id")]))
        })
        .transpose()?;
    let date = q
        .date
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::Validation(vec![FieldError::new("date", "must be a day as YYYY-MM-DD")])
            })
        })
        .transpose()?;
    let selection = match (q.machine_ids, operator, date) {
        (Some(ids), None, None) => Selection::Machines(
            ids.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse().map_err(|_| AppError::NotFound))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        (None, Some(op), None) => Selection::Operator(op),
        (None, op, Some(day)) => Selection::Day(day, op),
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "machine_ids",
                "give machine_ids, or operator_id and/or date",
            )])
            .into());
        }
    };
    Ok(axum::Json(
        vendhub_app::prekit::compute(&s.app, &who, selection).await?,
    ))
}

fn holder(field: &str, text: &str) -> Result<Holder, AppError> {
    text.parse().map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            field,
            "must be warehouse:<id>, operator:<user id> or slot:<machine id>:<slot>",
        )])
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PurchaseBody {
    warehouse_id: String,
    product_id: String,
    quantity: i64,
    /// Tiyin per unit; enters the warehouse's moving average cost.
    unit_cost: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    product_id: String,
    /// `warehouse:<id>`, `operator:<user id>` or `slot:<machine id>:<slot>`.
    from: String,
    to: String,
    quantity: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct WriteOffBody {
    product_id: String,
    /// The holder the stock leaves.
    holder: String,
    quantity: i64,
    /// spoiled, expired or damaged.
    reason: String,
}

/// Receive stock into a warehouse.
#[utoipa::path(post, path = "/api/v1/inventory/purchases", tag = "inventory", request_body = PurchaseBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn purchase(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<PurchaseBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let warehouse: WarehouseId = b.warehouse_id.parse().map_err(|_| AppError::NotFound)?;
    let req = MovementRequest {
        kind: MovementKind::Purchase,
        product_id: b.product_id,
        from: None,
        to: Some(Holder::Warehouse(warehouse)),
        quantity: b.quantity,
        unit_cost: Some(b.unit_cost),
        reason: None,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(inventory::post(&s.app, &who, req, &meta).await?),
    ))
}

/// Move stock between holders: warehouse ⇄ operator, operator → machine slot (refill), slot → operator
/// (unload), between warehouses. Refused whole (422) when the source lacks stock or a slot would overflow.
#[utoipa::path(post, path = "/api/v1/inventory/transfers", tag = "inventory", request_body = TransferBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn transfer(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<TransferBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let (from, to) = (holder("from", &b.from)?, holder("to", &b.to)?);
    let kind = match (&from, &to) {
        (Holder::Operator(_), Holder::Slot { .. }) => MovementKind::Refill,
        (Holder::Slot { .. }, Holder::Operator(_)) => MovementKind::Unload,
        (Holder::Operator(_), Holder::Warehouse(_)) => MovementKind::Return,
        _ => MovementKind::Transfer,
    };
    let req = MovementRequest {
        kind,
        product_id: b.product_id,
        from: Some(from),
        to: Some(to),
        quantity: b.quantity,
        unit_cost: None,
        reason: None,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(inventory::post(&s.app, &who, req, &meta).await?),
    ))
}

/// Write stock off (spoiled, expired, damaged).
#[utoipa::path(post, path = "/api/v1/inventory/write-offs", tag = "inventory", request_body = WriteOffBody,
    security(("bearer" = [])),
    responses((status = 201, body = MovementView), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "no such product or holder in your organization"), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("stock_manage"))))]
async fn write_off(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockManage>,
    Meta(meta): Meta,
    Json(b): Json<WriteOffBody>,
) -> Result<(StatusCode, axum::Json<MovementView>), ApiError> {
    let reason: WriteOffReason = serde_json::from_value(serde_json::json!(b.reason)).map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            "reason",
            "must be spoiled, expired or damaged",
        )])
    })?;
    let req = MovementRequest {
        kind: MovementKind::WriteOff,
        product_id: b.product_id,
        from: Some(holder("holder", &b.holder)?),
        to: None,
        quantity: b.quantity,
        unit_cost: None,
        reason: Some(reason),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(inventory::post(&s.app, &who, req, &meta).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct WarehouseQuery {
    /// One warehouse; all when absent.
    warehouse_id: Option<String>,
}

/// Warehouse stock with value at average cost (runbook smoke test).
#[utoipa::path(get, path = "/api/v1/inventory/warehouse", tag = "inventory", params(WarehouseQuery), security(("bearer" = [])),
    responses((status = 200, body = [BalanceView]), (status = 404, body = Problem, description = "no such warehouse in your organization")),
    extensions(("x-permission" = json!("stock_read"))))]
async fn warehouse_stock(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<WarehouseQuery>,
) -> Result<axum::Json<Vec<BalanceView>>, ApiError> {
    let w = match q.warehouse_id {
        Some(id) => Some(id.parse::<WarehouseId>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    Ok(axum::Json(inventory::warehouse_stock(&s.app, &who, w).await?))
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
async fn operator_stock(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Query(q): Query<OperatorQuery>,
) -> Result<axum::Json<Vec<BalanceView>>, ApiError> {
    let op = match q.operator_id {
        Some(id) => Some(id.parse::<UserId>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    Ok(axum::Json(inventory::operator_stock(&s.app, &who, op).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct MovementQuery {
    page: Option<i64>,
    limit: Option<i64>,
    product_id: Option<String>,
    /// Movements in or out of this holder.
    holder: Option<String>,
    kind: Option<String>,
    /// Movements posted for one reference (e.g. a stocktake's id).
    reference_id: Option<String>,
    /// RFC 3339; from (inclusive) and to (exclusive).
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// The ledger, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/movements", tag = "inventory", params(MovementQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [MovementView], meta}`")),
    extensions(("x-permission" = json!("stock_read"))))]
async fn movements(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<MovementQuery>,
) -> Result<axum::Json<Paged<MovementView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let filter = MovementFilter {
        product_id: q.product_id,
        holder: q.holder,
        kind: q.kind,
        reference_id: q.reference_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    Ok(axum::Json(
        inventory::movements(&s.app, &who, filter, page).await?,
    ))
}
