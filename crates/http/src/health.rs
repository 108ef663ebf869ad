//! `/health`, `/health/live`, `/health/ready`, `/health/detailed`, `/health/version` (runbook 4.1).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::health::{self, Report};

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(basic))
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(detailed))
        .routes(routes!(version))
}

fn answer(report: &Report) -> Response {
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report)).into_response()
}

fn uptime_secs(state: &HttpState) -> f64 {
    (state.app.uptime().as_secs_f64() * 1000.0).round() / 1000.0
}

/// The process answers.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "`{\"status\":\"ok\",\"timestamp\",\"uptime\"}`")))]
async fn basic(State(state): State<HttpState>) -> Response {
    Json(json!({
        "status": "ok",
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "uptime": uptime_secs(&state),
    }))
    .into_response()
}

/// Liveness: alive and under its memory limit.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "alive"), (status = 503, description = "over the memory limit")))]
async fn live(State(state): State<HttpState>) -> Response {
    answer(&health::live(&state.app))
}

/// Readiness: the database and the cache (or Redis) answer and the server is not draining.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, description = "ready"), (status = 503, description = "a part is down, or shutting down")))]
async fn ready(State(state): State<HttpState>) -> Response {
    answer(&health::ready(&state.app).await)
}

/// Every part with its measurements: database, cache/redis, memory, disk, storage, queue.
#[utoipa::path(get, path = "/health/detailed", tag = "health",
    responses((status = 200, description = "all parts up"), (status = 503, description = "a part is down")))]
async fn detailed(State(state): State<HttpState>) -> Response {
    answer(&health::detailed(&state.app).await)
}

/// Which build runs where.
#[utoipa::path(get, path = "/health/version", tag = "health",
    responses((status = 200, description = "version, environment, rust_version, git_commit, build_time, uptime")))]
async fn version(State(state): State<HttpState>) -> Response {
    let b = &state.config.build;
    Json(json!({
        "version": b.version,
        "environment": state.app.settings().environment,
        "rust_version": b.rust_version,
        "git_commit": b.git_commit,
        "build_time": b.build_time,
        "uptime": uptime_secs(&state),
    }))
    .into_response()
}
