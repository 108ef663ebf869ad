//! Machines: `/admin/machines` (list, filters, map) and `/admin/machines/{id}` (live status, planogram, sales, telemetry, DEX, tasks, API keys, QR, move).

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
