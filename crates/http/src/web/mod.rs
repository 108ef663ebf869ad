//! The admin panel (`/admin`): server-rendered pages (askama) with htmx for partial updates and
//! Socket.IO for live changes, every asset embedded. Page handlers are thin: the same extractors' checks
//! (a signed-in person, their role, their organization) and the same use cases as the API.

pub mod assets;
pub mod audit;
pub mod catalog;
pub mod charts;
pub mod collections;
pub mod csrf_token;
pub mod customer;
pub mod dashboard;
pub mod error;
pub mod i18n;
pub mod login;
pub mod machines;
pub mod nav;
pub mod orders;
pub mod pager;
pub mod payments;
pub mod people;
pub mod placeholders;
pub mod session;
pub mod settings;
pub mod stock;
pub mod tasks;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;

pub use error::WebError;
pub use session::{PageCtx, Panel};

use crate::HttpState;

/// The Content-Security-Policy of every page: our own scripts and styles only (no inline code), images
/// also from the map's tile server, never framed.
fn content_security_policy(tile_origin: Option<&str>) -> String {
    let tiles = tile_origin.map_or_else(String::new, |o| format!(" {o}"));
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The origin (`https://tile.example.org`) of a tile URL template, for the policy.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{}", host.replace("{s}", "*")))
}

/// Headers of every page: the policy above, and never cached.
async fn page_headers(policy: HeaderValue, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, policy);
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// The panel's routes, with their layers (session and CSRF check, language cookie, error pages).
pub fn routes(state: &HttpState) -> Router<HttpState> {
    let policy = HeaderValue::from_str(&content_security_policy(
        state
            .config
            .map_tile_url
            .as_deref()
            .and_then(origin_of)
            .as_deref(),
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let customer_policy = policy.clone();
    let pages = Router::new()
        .route("/admin/login", get(login::form).post(login::submit))
        .route("/admin/login/2fa", post(login::two_factor))
        .route("/admin/logout", post(login::logout))
        .route("/admin/organization", post(login::switch_organization))
        .merge(dashboard::routes())
        .merge(machines::routes())
        .merge(catalog::routes())
        .merge(tasks::routes())
        .merge(collections::routes())
        .merge(stock::routes())
        .merge(people::routes())
        .merge(audit::routes())
        .merge(settings::routes())
        .merge(orders::routes())
        .merge(payments::routes())
        .merge(placeholders::routes())
        .route("/admin/{*rest}", get(not_found))
        .layer(middleware::from_fn_with_state(state.clone(), session::layer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::remember_language,
        ))
        .layer(middleware::from_fn(error::render))
        .layer(middleware::from_fn(move |req, next| {
            page_headers(policy.clone(), req, next)
        }));
    // The customer's pages: public, no session and no CSRF check (nobody is signed in there).
    let customer = customer::routes()
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::remember_language,
        ))
        .layer(middleware::from_fn(move |req, next| {
            page_headers(customer_policy.clone(), req, next)
        }));
    Router::new()
        .route("/", get(login::root))
        .route("/assets/web/{*path}", get(assets::serve))
        .merge(pages)
        .merge(customer)
}

/// A panel address that is no page: the sign-in page for a stranger, a "not found" page otherwise.
async fn not_found(_: Panel) -> WebError {
    WebError::App(AppError::NotFound)
}

/// A rendered page as a response (a template that fails to render is an internal error, logged).
pub fn page(template: &impl Template) -> Result<Response, WebError> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::App(AppError::internal(e)))
}

/// A url-encoded form body; one that does not fit its fields is a page naming the problem (400).
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::App(AppError::TooLarge { limit: 0 }))?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        serde_path_to_error::deserialize(de).map(Self).map_err(|e| {
            let field = e.path().to_string();
            WebError::App(AppError::Validation(vec![FieldError::new(
                field,
                e.into_inner().to_string(),
            )]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_code_and_no_framing() {
        let p = content_security_policy(origin_of("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref());
        assert!(!p.contains("unsafe-inline") && !p.contains("unsafe-eval"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("img-src 'self' data: blob: https://*.tile.example.org;"));
        assert_eq!(origin_of("not a url"), None);
    }
}
