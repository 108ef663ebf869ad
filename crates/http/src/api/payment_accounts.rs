//! The organization's own merchant accounts with Payme, Click and Uzum Bank (IntegrationsManage):
//! `GET /api/v1/payments/accounts` and `GET/PUT/DELETE /api/v1/payments/accounts/{provider}`. Secrets are
//! sealed with `VENDHUB_ENCRYPTION_KEY`, never returned (masked), and every change is audited. The same
//! use cases as the admin panel's payment settings.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::orders::ProviderName;
use vendhub_app::payments::accounts::{self, AccountInput, AccountView};
use vendhub_domain::payments::Provider;

use crate::HttpState;
use crate::extract::{Allowed, Json, Meta, perm};
use crate::params::Path;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_one, put_one, delete_one))
}

fn provider(p: ProviderName) -> Provider {
    match p {
        ProviderName::Payme => Provider::Payme,
        ProviderName::Click => Provider::Click,
        ProviderName::Uzum => Provider::Uzum,
    }
}

/// The organization's own merchant accounts, secrets masked, each with the URLs to register with its
/// provider.
#[utoipa::path(get, path = "/api/v1/payments/accounts", tag = "payments",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountView>)),
    extensions(("x-permission" = json!("integrations_manage"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::IntegrationsManage>,
) -> Result<axum::Json<Vec<AccountView>>, ApiError> {
    Ok(axum::Json(accounts::list_own(&s.app, &who).await?))
}

/// The organization's own account with one provider, secrets masked; 404 when it has none (its payments
/// then go to the installation's account, if any).
#[utoipa::path(get, path = "/api/v1/payments/accounts/{provider}", tag = "payments",
    params(("provider" = ProviderName, Path, description = "payme, click or uzum")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("integrations_manage"))))]
async fn get_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::IntegrationsManage>,
    Path(p): Path<ProviderName>,
) -> Result<axum::Json<AccountView>, ApiError> {
    Ok(axum::Json(accounts::get_own(&s.app, &who, provider(p)).await?))
}

/// Sets or replaces the organization's account with a provider. Payme: `merchant_id`, `secret` (the
/// key), `test_secret`, `test_mode`; Click: `merchant_id`, `service_id`, `secret`, `merchant_user_id`;
/// Uzum Bank: `merchant_id` (the login), `service_id`, `secret` (the password). A secret left out keeps the
/// stored one.
#[utoipa::path(put, path = "/api/v1/payments/accounts/{provider}", tag = "payments",
    params(("provider" = ProviderName, Path, description = "payme, click or uzum")),
    request_body = AccountInput,
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("integrations_manage"))))]
async fn put_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::IntegrationsManage>,
    Meta(meta): Meta,
    Path(p): Path<ProviderName>,
    Json(body): Json<AccountInput>,
) -> Result<axum::Json<AccountView>, ApiError> {
    Ok(axum::Json(
        accounts::save_own(&s.app, &who, provider(p), body, &meta).await?,
    ))
}

/// Removes the organization's account with a provider.
#[utoipa::path(delete, path = "/api/v1/payments/accounts/{provider}", tag = "payments",
    params(("provider" = ProviderName, Path, description = "payme, click or uzum")),
    security(("bearer" = [])),
    responses((status = 204), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("integrations_manage"))))]
async fn delete_one(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::IntegrationsManage>,
    Meta(meta): Meta,
    Path(p): Path<ProviderName>,
) -> Result<StatusCode, ApiError> {
    accounts::delete_own(&s.app, &who, provider(p), &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
