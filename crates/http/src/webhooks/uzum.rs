//! Uzum Bank merchant webhooks (CONTRACT §6, PROTOCOLS.md §3): `check`, `create`, `confirm`, `reverse` and
//! `status`, JSON both ways, HTTP Basic `UZUM_MERCHANT_ID:UZUM_SECRET_KEY`. Success is HTTP 200, an error
//! `{serviceId, timestamp, status:"FAILED", errorCode}` with HTTP 400. The installation's account at
//! `/api/v1/payments/uzum/{webhook}`, an organization's own at
//! `/api/v1/payments/uzum/{organization_slug}/{webhook}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::payments::Endpoint;
use vendhub_app::payments::uzum;

use crate::HttpState;
use crate::params::Path;
use crate::problem::Problem;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(webhook))
        .routes(routes!(org_webhook))
}

/// The five webhooks.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UzumWebhook {
    Check,
    Create,
    Confirm,
    Reverse,
    Status,
}

/// `status` in Uzum's answers.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UzumStatus {
    Ok,
    Failed,
    Cancelled,
    Created,
    Confirmed,
    Reversed,
}

/// `data.account.value`: our order id.
#[derive(Serialize, ToSchema)]
pub struct UzumAccount {
    value: String,
}

#[derive(Serialize, ToSchema)]
pub struct UzumData {
    account: UzumAccount,
}

/// Our fields as the customer entered them in Uzum Bank's app.
#[derive(Serialize, ToSchema)]
pub struct UzumParams {
    /// Our order id.
    order_id: String,
}

/// A webhook's request: `serviceId`, `timestamp` (Unix ms), `params.order_id` (check, create), `transId`
/// (all but check), `amount` in tiyin (create).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UzumRequest {
    service_id: i64,
    timestamp: i64,
    trans_id: Option<String>,
    params: Option<UzumParams>,
    amount: Option<i64>,
}

/// A success: check answers `OK` with `timestamp`; create `CREATED` with `transTime`; confirm `CONFIRMED`
/// with `confirmTime`; reverse `REVERSED` with `reverseTime`; status the stored state and times.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UzumAnswer {
    service_id: i64,
    timestamp: Option<i64>,
    trans_id: Option<String>,
    status: UzumStatus,
    trans_time: Option<i64>,
    confirm_time: Option<i64>,
    reverse_time: Option<i64>,
    data: UzumData,
    amount: Option<i64>,
}

/// A refusal (HTTP 400): `status` is `FAILED`; `errorCode` 10001 access denied, 10002 not JSON, 10003
/// unknown webhook, 10005 missing parameters, 10006 another `serviceId`, 10007 unknown order, 10008 already
/// processed, 10009 cancelled or unknown transaction, 99999 the order cannot be paid (or our failure).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UzumError {
    service_id: i64,
    timestamp: i64,
    status: UzumStatus,
    error_code: String,
}

async fn run(
    s: &HttpState,
    endpoint: Endpoint,
    name: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Problem::new(r.status(), "payload_too_large", r.body_text()).into_response();
        }
        // Unreadable: answered as a body that is not JSON (10002).
        Err(_) => Bytes::new(),
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let a = uzum::call(&s.app, endpoint, name, authorization, body.to_vec()).await;
    (
        StatusCode::from_u16(a.status).unwrap_or(StatusCode::BAD_REQUEST),
        [(header::CONTENT_TYPE, "application/json")],
        a.body,
    )
        .into_response()
}

/// An Uzum Bank webhook for the installation's Uzum account (HTTP Basic `UZUM_MERCHANT_ID:UZUM_SECRET_KEY`,
/// checked in constant time; a refusal is `errorCode` 10001).
#[utoipa::path(post, path = "/api/v1/payments/uzum/{webhook}", tag = "payments",
    params(("webhook" = inline(UzumWebhook), Path, description = "check, create, confirm, reverse or status")),
    request_body = UzumRequest,
    responses((status = 200, body = UzumAnswer), (status = 400, body = UzumError)),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("uzum"))))]
async fn webhook(
    State(s): State<HttpState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run(&s, Endpoint::Installation, &name, &headers, body).await
}

/// An Uzum Bank webhook for an organization's own Uzum account (orders of that organization only).
#[utoipa::path(post, path = "/api/v1/payments/uzum/{organization_slug}/{webhook}", tag = "payments",
    params(("organization_slug" = String, Path, description = "The organization's slug"),
        ("webhook" = inline(UzumWebhook), Path, description = "check, create, confirm, reverse or status")),
    request_body = UzumRequest,
    responses((status = 200, body = UzumAnswer), (status = 400, body = UzumError)),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("uzum"))))]
async fn org_webhook(
    State(s): State<HttpState>,
    Path((slug, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run(&s, Endpoint::Organization(slug), &name, &headers, body).await
}
