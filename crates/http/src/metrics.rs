//! Prometheus metrics: the recorder, gauges refreshed at scrape time (jobs, pool, process), `/metrics`.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use crate::HttpState;
use crate::problem::Problem;

/// Latency buckets in seconds, from 5 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process-wide recorder handle (the `metrics` facade has one global recorder).
#[derive(Clone)]
pub struct MetricsHandle {
    prometheus: PrometheusHandle,
}

static HANDLE: OnceLock<Result<MetricsHandle, String>> = OnceLock::new();

impl MetricsHandle {
    /// Installs the recorder once per process and returns it (again) on later calls.
    pub fn install() -> Result<Self, String> {
        HANDLE
            .get_or_init(|| {
                let prometheus = PrometheusBuilder::new()
                    .set_buckets_for_metric(
                        Matcher::Full("http_request_duration_seconds".into()),
                        LATENCY_BUCKETS,
                    )
                    .map_err(|e| e.to_string())?
                    .install_recorder()
                    .map_err(|e| e.to_string())?;
                describe();
                metrics_process::Collector::default().describe();
                Ok(Self { prometheus })
            })
            .clone()
    }

    pub fn render(&self) -> String {
        self.prometheus.render()
    }
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "HTTP requests by method, route template and status"
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "HTTP request latency by route template"
    );
    describe_gauge!("vendhub_jobs_queued", "Jobs waiting to run");
    describe_gauge!("vendhub_jobs_running", "Jobs being run by a worker");
    describe_gauge!("vendhub_jobs_dead", "Jobs parked after failing every attempt");
    describe_counter!(
        "vendhub_jobs_completed_total",
        "Jobs finished successfully, by kind"
    );
    describe_counter!("vendhub_jobs_failed_total", "Failed job attempts, by kind");
    describe_gauge!(
        "vendhub_db_pool_connections",
        "Database pool connections by state (idle, in_use)"
    );
    describe_gauge!("vendhub_db_pool_max", "Database pool size limit");
    describe_gauge!("vendhub_up", "1 while this replica serves and is not draining");
    describe_gauge!("vendhub_machine_status", "Machines per status");
    describe_gauge!(
        "vendhub_machine_inventory_level",
        "A machine's lowest slot fill, percent of capacity"
    );
    describe_gauge!("vendhub_orders_total", "Orders per status");
    describe_gauge!(
        "vendhub_payments_total",
        "Payment transactions per provider and status (created, performed, cancelled, refunded)"
    );
    describe_counter!(
        "vendhub_sales_total",
        "Sales recorded, by source and payment method"
    );
}

pub fn routes() -> Router<HttpState> {
    Router::new().route("/metrics", get(scrape))
}

fn authorized(state: &HttpState, headers: &HeaderMap) -> bool {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    given.as_bytes().ct_eq(token.as_bytes()).into()
}

async fn scrape(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        let mut res = Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "metrics need the bearer token",
        )
        .into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return res;
    }
    refresh(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}

/// Sets the gauges that are read from the database and the process, right before rendering.
async fn refresh(state: &HttpState) {
    let app = &state.app;
    let pool = app.db().pool_status();
    metrics::gauge!("vendhub_db_pool_max").set(f64::from(pool.max));
    metrics::gauge!("vendhub_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("vendhub_db_pool_connections", "state" => "in_use")
        .set(f64::from(pool.open.saturating_sub(pool.idle)));
    metrics::gauge!("vendhub_up").set(if app.is_draining() { 0.0 } else { 1.0 });
    match vendhub_app::health::queue_counts(app).await {
        Ok(c) => {
            #[expect(clippy::cast_precision_loss, reason = "queue sizes are far below 2^52")]
            {
                metrics::gauge!("vendhub_jobs_queued").set(c.queued as f64);
                metrics::gauge!("vendhub_jobs_running").set(c.running as f64);
                metrics::gauge!("vendhub_jobs_dead").set(c.dead as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count jobs"),
    }
    business(app).await;
    metrics_process::Collector::default().collect();
}

/// Fleet and sales figures, from the database.
async fn business(app: &vendhub_app::App) {
    match vendhub_app::payments::figures::figures(app).await {
        #[expect(clippy::cast_precision_loss, reason = "row counts are far below 2^52")]
        Ok(f) => {
            for (status, n) in f.orders {
                metrics::gauge!("vendhub_orders_total", "status" => status).set(n as f64);
            }
            for (provider, status, n) in f.payments {
                metrics::gauge!("vendhub_payments_total", "provider" => provider, "status" => status)
                    .set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read order figures"),
    }
    let figures = match vendhub_app::fleet_metrics::figures(app).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read fleet figures");
            return;
        }
    };
    #[expect(
        clippy::cast_precision_loss,
        reason = "machine counts and percentages are small"
    )]
    {
        for (status, n) in figures.machine_status {
            metrics::gauge!("vendhub_machine_status", "status" => status).set(n as f64);
        }
        for (machine, number, fill) in figures.inventory_level {
            metrics::gauge!("vendhub_machine_inventory_level", "machine" => machine, "number" => number)
                .set(fill as f64);
        }
    }
    for (source, method, n) in figures.sales {
        metrics::counter!("vendhub_sales_total", "source" => source, "payment_method" => method)
            .absolute(u64::try_from(n).unwrap_or(0));
    }
}
