//! Payme's Merchant API (PROTOCOLS.md §1, CONTRACT §6): JSON-RPC in the raw body (Payme sends
//! `Content-Type: text/json`), Basic auth `Paycom:<key>`, and HTTP 200 for every answer, errors included.
//! The installation's account answers at `/api/v1/payments/payme`, an organization's own at
//! `/api/v1/payments/payme/{organization_slug}`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::payments::Endpoint;
use vendhub_app::payments::payme;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(installation))
        .routes(routes!(organization))
}

/// A Payme Merchant API call (JSON-RPC 2.0; `jsonrpc` may be absent).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymeRequest {
    /// `CheckPerformTransaction`, `CreateTransaction`, `PerformTransaction`, `CancelTransaction`,
    /// `CheckTransaction`, `GetStatement`, `ChangePassword` or `SetFiscalData`.
    pub method: String,
    /// The method's parameters (PROTOCOLS.md §1.2): amounts in tiyin, times in Unix ms,
    /// `account.order_id` our order id.
    #[schema(value_type = Object)]
    pub params: Value,
    /// Echoed in the answer.
    #[schema(value_type = Option<i64>)]
    pub id: Value,
}

/// Payme's error object: the code, its message in ru/uz/en, and `data` naming the field.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymeErrorBody {
    pub code: i32,
    #[schema(value_type = Object)]
    pub message: Value,
    pub data: Option<String>,
}

/// The answer, always with HTTP 200: either `result` or `error`, and the request's `id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymeReply {
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    pub error: Option<PaymeErrorBody>,
    #[schema(value_type = Option<i64>)]
    pub id: Value,
}

async fn answer(
    s: &HttpState,
    endpoint: Endpoint,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // A body that could not be read is answered like one that is not JSON (-32700), after auth.
    let body = body.map(|b| b.to_vec()).unwrap_or_default();
    let text = payme::handle(&s.app, endpoint, authorization, body).await;
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Payme calls the installation's merchant account (`PAYME_*`).
#[utoipa::path(post, path = "/api/v1/payments/payme", tag = "payments",
    request_body(content = PaymeRequest, description = "A JSON-RPC call (Payme sends `text/json`)",
        content_type = "text/json"),
    responses((status = 200, body = PaymeReply,
        description = "Every answer, errors included (Payme's codes, PROTOCOLS.md §1.4)")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("payme"))))]
async fn installation(
    State(s): State<HttpState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(&s, Endpoint::Installation, &headers, body).await
}

/// Payme calls an organization's own merchant account (set in its payment settings).
#[utoipa::path(post, path = "/api/v1/payments/payme/{organization_slug}", tag = "payments",
    params(("organization_slug" = String, Path, description = "The organization's slug")),
    request_body(content = PaymeRequest, description = "A JSON-RPC call (Payme sends `text/json`)",
        content_type = "text/json"),
    responses((status = 200, body = PaymeReply,
        description = "Every answer, errors included; an unknown organization is -32504")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("payme"))))]
async fn organization(
    State(s): State<HttpState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(&s, Endpoint::Organization(slug), &headers, body).await
}
