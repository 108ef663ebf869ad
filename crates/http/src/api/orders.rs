//! Customer orders. Public, without an account (CONTRACT §6): a machine's menu, an order for a slot, the
//! order's status. For staff: `/api/v1/orders` (list, detail with every provider call, refunds).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::orders::{
    self, Menu, NewOrder, OrderDetail, OrderQuery, OrderStatusName, OrderView, ProviderName, PublicOrder,
    refunds,
};
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_domain::orders::OrderStatus;
use vendhub_domain::payments::Provider;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(public_menu))
        .routes(routes!(public_create))
        .routes(routes!(public_order))
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(refund))
        .routes(routes!(record_refund))
}

#[derive(Deserialize, IntoParams)]
pub struct MachinePageQuery {
    /// The organization's slug, when two organizations use the machine's number (the QR code carries it).
    org: Option<String>,
    /// `uz`, `ru` or `en`: the language of product names.
    lang: Option<String>,
}

/// A machine's menu for its QR page: each slot's product, price and whether it can be ordered now, and the
/// providers the customer can pay with. No account needed.
#[utoipa::path(get, path = "/api/v1/public/machines/{machine_number}", tag = "orders",
    params(("machine_number" = String, Path, description = "The machine's number"), MachinePageQuery),
    responses((status = 200, body = Menu), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn public_menu(
    State(s): State<HttpState>,
    Path(number): Path<String>,
    Query(q): Query<MachinePageQuery>,
) -> Result<axum::Json<Menu>, ApiError> {
    Ok(axum::Json(
        orders::menu(&s.app, &number, q.org.as_deref(), q.lang.as_deref()).await?,
    ))
}

/// Orders one unit of a slot (or of a product: its first slot with stock) at the slot's price now; the
/// unit is reserved for 15 minutes while the customer pays with one of the links. Limited per client
/// address and per machine.
#[utoipa::path(post, path = "/api/v1/public/machines/{machine_number}/orders", tag = "orders",
    params(("machine_number" = String, Path, description = "The machine's number"), MachinePageQuery),
    request_body = NewOrder,
    responses((status = 201, body = PublicOrder), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 429, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn public_create(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Path(number): Path<String>,
    Query(q): Query<MachinePageQuery>,
    Json(mut body): Json<NewOrder>,
) -> Result<(StatusCode, axum::Json<PublicOrder>), ApiError> {
    if body.language.is_none() {
        body.language = q.lang;
    }
    let order = orders::create(&s.app, &number, q.org.as_deref(), body, meta.ip).await?;
    Ok((StatusCode::CREATED, axum::Json(order)))
}

/// An order's status for its customer (and the providers' return page): created, paid, dispensing,
/// dispensed, `refund_pending`, refunded, expired.
#[utoipa::path(get, path = "/api/v1/public/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, body = PublicOrder), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn public_order(
    State(s): State<HttpState>,
    Path(id): Path<uuid::Uuid>,
) -> Result<axum::Json<PublicOrder>, ApiError> {
    Ok(axum::Json(orders::public_get(&s.app, &id.to_string()).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct OrderListQuery {
    page: Option<i64>,
    limit: Option<i64>,
    machine_id: Option<uuid::Uuid>,
    /// `created`, `paid`, `dispensing`, `dispensed`, `failed`, `refund_pending`, `refunded`, `expired`,
    /// `cancelled`.
    status: Option<String>,
    /// `payme`, `click`, `uzum`.
    provider: Option<String>,
    /// RFC 3339; from (inclusive) and to (exclusive), by creation time.
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// The organization's customer orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [OrderView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("finance_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FinanceRead>,
    Query(q): Query<OrderListQuery>,
) -> Result<axum::Json<Paged<OrderView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let closed = |field: &str, value: &str, allowed: &str| {
        ApiError(AppError::Validation(vec![FieldError::new(
            field,
            format!("must be one of {allowed} (got {value:?})"),
        )]))
    };
    let status = q
        .status
        .as_deref()
        .map(|s| {
            OrderStatus::parse(s).map(OrderStatusName::from).ok_or_else(|| {
                closed("status", s, "created, paid, dispensing, dispensed, failed, refund_pending, refunded, expired, cancelled")
            })
        })
        .transpose()?;
    let provider = q
        .provider
        .as_deref()
        .map(|p| {
            Provider::parse(p)
                .map(ProviderName::from)
                .ok_or_else(|| closed("provider", p, "payme, click, uzum"))
        })
        .transpose()?;
    let query = OrderQuery {
        machine_id: q.machine_id.map(|m| m.to_string()),
        status,
        provider,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    Ok(axum::Json(orders::list(&s.app, &who, query, page).await?))
}

/// One order with its provider transactions, every call a provider made about it (request and our
/// answer) and its vend command.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id")), security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("finance_read"))))]
async fn detail(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FinanceRead>,
    Path(id): Path<uuid::Uuid>,
) -> Result<axum::Json<OrderDetail>, ApiError> {
    Ok(axum::Json(orders::detail(&s.app, &who, &id.to_string()).await?))
}

/// Why an order is refunded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    pub reason: String,
}

/// Starts the refund of a paid, failed or dispensed order: the provider is asked to return the money where
/// it has a call for it; otherwise the order waits as `refund_pending` for the accountant to record it.
#[utoipa::path(post, path = "/api/v1/orders/{id}/refund", tag = "orders",
    params(("id" = String, Path, description = "The order's id")), request_body = RefundRequest,
    security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("finance_manage"))))]
async fn refund(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FinanceManage>,
    Path(id): Path<uuid::Uuid>,
    Json(body): Json<RefundRequest>,
) -> Result<axum::Json<OrderView>, ApiError> {
    Ok(axum::Json(
        refunds::request(&s.app, &who, &id.to_string(), &body.reason).await?,
    ))
}

/// A refund done outside VendHub (in the provider's cabinet).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRecord {
    pub note: String,
}

/// Records that the money of a `refund_pending` order went back (done in the provider's cabinet).
#[utoipa::path(post, path = "/api/v1/orders/{id}/refunded", tag = "orders",
    params(("id" = String, Path, description = "The order's id")), request_body = RefundRecord,
    security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)),
    extensions(("x-permission" = json!("finance_manage"))))]
async fn record_refund(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FinanceManage>,
    Path(id): Path<uuid::Uuid>,
    Json(body): Json<RefundRecord>,
) -> Result<axum::Json<OrderView>, ApiError> {
    Ok(axum::Json(
        refunds::record(&s.app, &who, &id.to_string(), &body.note).await?,
    ))
}
