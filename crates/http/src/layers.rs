//! The layers every request passes: request id, one tracing span keyed by the route template, metrics,
//! security headers, CORS, body size limit, timeout, compression.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::HttpState;
use crate::problem::Problem;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route template of a request (`/api/v1/machines/{id}`), never its raw path.
fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

/// Counts the request and its latency by method, route template and status.
pub async fn count_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = route_of(&req);
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// A body over the limit, or a request that took too long, answered as problem+json.
async fn problem_for_layer_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !is_problem => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
        .into_response(),
        StatusCode::REQUEST_TIMEOUT if !is_problem => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request took too long",
        )
        .into_response(),
        _ => res,
    }
}

/// A NUL character in the path or query (`%00`) is refused before any handler sees it: no id or filter
/// has a use for one, and PostgreSQL cannot store or compare text containing it.
async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let nul = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    if nul(uri.path()) || uri.query().is_some_and(nul) {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "the URL must not contain NUL characters",
        )
        .into_response();
    }
    next.run(req).await
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, REQUEST_ID])
        .expose_headers([REQUEST_ID])
        .allow_credentials(true)
}

/// Wraps the router in every layer. Order (outermost first): request id, trace, metrics, headers, CORS,
/// unread-body detection, timeout, body limit, compression.
pub fn apply(router: Router, state: &HttpState) -> Router {
    let cfg = &state.config;
    let hsts = cfg
        .production
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), route = %route_of(req), request_id = %id)
        })
        .on_request(())
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO));
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // `Router::layer` wraps outside-in: the last call below is the outermost layer.
    router
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(
            cfg.body_limit.max(cfg.upload_limit.saturating_add(64 * 1024)),
        ))
        .layer(axum::extract::DefaultBodyLimit::max(cfg.body_limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            cfg.request_timeout,
        ))
        .layer(middleware::from_fn(problem_for_layer_errors))
        .layer(middleware::from_fn(crate::unread_body::layer))
        .layer(middleware::from_fn(refuse_nul))
        .layer(cors(&cfg.cors_origins))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'",
        ))
        .layer(header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(middleware::from_fn(count_request))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
