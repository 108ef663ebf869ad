//! Click SHOP API (CONTRACT §6, PROTOCOLS.md §2): Click posts a form to Prepare, then to Complete; we answer
//! JSON with Click's `error` 0..-9 and `error_note`, always with HTTP 200. The installation's account at
//! `/api/v1/payments/click/…`, an organization's own at `/api/v1/payments/click/{organization_slug}/…`.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::payments::Endpoint;
use vendhub_app::payments::click::{self, Action};
use vendhub_domain::payments::click::Form;

use crate::HttpState;
use crate::params::Path;
use crate::problem::Problem;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(prepare))
        .routes(routes!(complete))
        .routes(routes!(org_prepare))
        .routes(routes!(org_complete))
}

/// The form Click posts (`application/x-www-form-urlencoded`); every field is signed as the exact string
/// received.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "documentation of the form the handler reads from the raw body"
)]
pub struct ClickForm {
    /// Click's transaction id (bigint).
    click_trans_id: String,
    service_id: String,
    click_paydoc_id: String,
    /// Our order id.
    merchant_trans_id: String,
    /// Complete only: the id our Prepare answered.
    merchant_prepare_id: Option<String>,
    /// So'm, a decimal string.
    amount: String,
    /// 0 Prepare, 1 Complete.
    action: String,
    /// Click's own status: 0 ok, below 0 failed or cancelled on Click's side.
    error: String,
    error_note: Option<String>,
    /// `YYYY-MM-DD HH:mm:ss`.
    sign_time: String,
    /// MD5 of the documented fields and the secret key.
    sign_string: String,
}

/// Our answer to Prepare (`merchant_prepare_id`) or Complete (`merchant_confirm_id`): `error` 0 is
/// success; -1 sign check failed, -2 incorrect amount, -3 action not found, -4 already paid, -5 unknown
/// order, -6 unknown transaction, -7 failed to update, -8 error in request, -9 transaction cancelled.
#[derive(Serialize, ToSchema)]
pub struct ClickAnswer {
    click_trans_id: Option<i64>,
    merchant_trans_id: Option<String>,
    merchant_prepare_id: Option<i64>,
    merchant_confirm_id: Option<i64>,
    error: i32,
    error_note: String,
}

async fn run(
    s: &HttpState,
    endpoint: Endpoint,
    action: Action,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Problem::new(r.status(), "payload_too_large", r.body_text()).into_response();
        }
        // A body that cannot be read at all is answered as a request without fields (-8).
        Err(_) => Bytes::new(),
    };
    // A body that is not a form (or repeats a field) has no fields: the decision answers -8.
    let form: Form = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let answer = click::call(&s.app, endpoint, action, form, body.to_vec()).await;
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        answer,
    )
        .into_response()
}

/// Click's Prepare (action 0) for the installation's Click account: checks the signature, the order and
/// its amount, and holds the order for this payment.
#[utoipa::path(post, path = "/api/v1/payments/click/prepare", tag = "payments",
    request_body(content = ClickForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClickAnswer, description = "Click's answer; `error` says the outcome")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("click"))))]
async fn prepare(State(s): State<HttpState>, body: Result<Bytes, BytesRejection>) -> Response {
    run(&s, Endpoint::Installation, Action::Prepare, body).await
}

/// Click's Complete (action 1) for the installation's Click account: Click debited the customer (error 0)
/// and the order is paid and its vend queued, or Click reports a failure (error < 0) and the payment is
/// cancelled.
#[utoipa::path(post, path = "/api/v1/payments/click/complete", tag = "payments",
    request_body(content = ClickForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClickAnswer, description = "Click's answer; `error` says the outcome")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("click"))))]
async fn complete(State(s): State<HttpState>, body: Result<Bytes, BytesRejection>) -> Response {
    run(&s, Endpoint::Installation, Action::Complete, body).await
}

/// Click's Prepare for an organization's own Click account (orders of that organization only).
#[utoipa::path(post, path = "/api/v1/payments/click/{organization_slug}/prepare", tag = "payments",
    params(("organization_slug" = String, Path, description = "The organization's slug")),
    request_body(content = ClickForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClickAnswer, description = "Click's answer; `error` says the outcome")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("click"))))]
async fn org_prepare(
    State(s): State<HttpState>,
    Path(slug): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run(&s, Endpoint::Organization(slug), Action::Prepare, body).await
}

/// Click's Complete for an organization's own Click account (orders of that organization only).
#[utoipa::path(post, path = "/api/v1/payments/click/{organization_slug}/complete", tag = "payments",
    params(("organization_slug" = String, Path, description = "The organization's slug")),
    request_body(content = ClickForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClickAnswer, description = "Click's answer; `error` says the outcome")),
    extensions(("x-permission" = json!("public")), ("x-webhook" = json!("click"))))]
async fn org_complete(
    State(s): State<HttpState>,
    Path(slug): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    run(&s, Endpoint::Organization(slug), Action::Complete, body).await
}
