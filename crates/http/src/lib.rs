//! VendHub's HTTP interface: the router, with health, metrics, OpenAPI and the `/api/v1` areas.
//! Handlers are thin: extract, call one use case, map the result; errors become problem+json here.

pub mod api;
pub mod client_addr;
pub mod cookies;
pub mod extract;
pub mod health;
pub mod layers;
pub mod metrics;
pub mod openapi;
pub mod openapi_rules;
pub mod params;
pub mod problem;
pub mod qr;
pub mod rate_limit;
pub mod realtime;
pub mod unread_body;
pub mod web;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use vendhub_app::App;

pub use metrics::MetricsHandle;

/// What the binary knows about itself, for `/health/version`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildInfo {
    pub version: &'static str,
    pub rust_version: &'static str,
    pub git_commit: &'static str,
    pub build_time: &'static str,
}

/// HTTP-only settings.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches read from independent variables, not a state machine"
)]
pub struct HttpConfig {
    pub production: bool,
    /// Cookies only over HTTPS (`Secure`): everywhere but `APP_ENV=development`.
    pub secure_cookies: bool,
    /// Serve `/docs` (Swagger UI).
    pub swagger: bool,
    /// `Authorization: Bearer <token>` required on `/metrics` when set.
    pub metrics_token: Option<String>,
    /// Serve `/metrics` on the main router (false when `METRICS_PORT` moves it elsewhere).
    pub metrics_on_main: bool,
    pub cors_origins: Vec<String>,
    /// JSON bodies (`VENDHUB_BODY_LIMIT`).
    pub body_limit: usize,
    /// Uploaded files (`MAX_FILE_SIZE`); the hard limit on any request body is the larger of the two.
    pub upload_limit: usize,
    pub request_timeout: std::time::Duration,
    /// `None` turns rate limiting off.
    pub rate_limits: Option<rate_limit::RateLimits>,
    /// Proxies whose `X-Forwarded-For`/`Forwarded` are believed (`TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The admin panel's map tiles (`MAP_TILE_URL`, a Leaflet URL template); without it the map shows
    /// its markers on a plain background.
    pub map_tile_url: Option<String>,
    /// The integration settings (`PAYME_*`, `SMTP_*`, …) for the settings page: (variable, value MASKED
    /// by the server, `None` when not set). Never a whole secret.
    pub integrations: Vec<(String, Option<String>)>,
    pub build: BuildInfo,
}

impl HttpConfig {
    pub fn for_tests() -> Self {
        Self {
            production: false,
            secure_cookies: false,
            swagger: true,
            metrics_token: None,
            metrics_on_main: true,
            cors_origins: Vec::new(),
            body_limit: 1 << 20,
            upload_limit: 10 << 20,
            request_timeout: std::time::Duration::from_secs(30),
            rate_limits: None,
            trusted_proxies: Vec::new(),
            map_tile_url: None,
            integrations: Vec::new(),
            build: BuildInfo {
                version: "test",
                rust_version: "test",
                git_commit: "test",
                build_time: "test",
            },
        }
    }
}

/// The state every handler gets.
#[derive(Clone)]
pub struct HttpState {
    pub app: App,
    pub config: Arc<HttpConfig>,
    pub metrics: MetricsHandle,
}

/// The routes with their OpenAPI description; `router` adds the layers.
fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(health::routes())
        .merge(api::routes())
        .merge(webhooks::routes())
}

/// The whole HTTP application (Socket.IO clients connect, but no events are forwarded to them).
pub fn router(state: &HttpState) -> Router {
    router_with(state, None, realtime::layer(&state.app)).0
}

/// The whole HTTP application plus `extra` routes (tests' stand-ins), which pass the same layers,
/// inside the Socket.IO layer of `socket_io` ([`realtime::layer`] or [`realtime::layer_with_redis`]),
/// and the Socket.IO forwarder to run beside it.
pub fn router_with(
    state: &HttpState,
    extra: Option<Router>,
    socket_io: (realtime::Layer, realtime::Realtime),
) -> (Router, realtime::Realtime) {
    let (api, doc) = routes().split_for_parts();
    let doc = openapi_rules::finish(doc);
    let mut app = api
        .merge(openapi::routes(doc, state.config.swagger))
        .merge(web::routes(state));
    if state.config.metrics_on_main {
        app = app.merge(metrics::routes());
    }
    let mut app = app
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state.clone());
    if let Some(extra) = extra {
        app = app.merge(extra);
    }
    let app = app
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client_addr::layer,
        ));
    // Outermost: the long-polling and WebSocket transport is not bound by the request timeout.
    let (socket_io, realtime) = socket_io;
    (socket_io.around(layers::apply(app, state)), realtime)
}

/// `/metrics` alone, for `METRICS_PORT`.
pub fn metrics_router(state: &HttpState) -> Router {
    metrics::routes()
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(layers::count_request))
}

/// The OpenAPI document of every route (used by tests and `openapi.json`).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi_rules::finish(routes().split_for_parts().1)
}
