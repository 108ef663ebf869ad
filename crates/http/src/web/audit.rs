//! The audit log: `/admin/audit`, with filters and the hash chain's check.

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
