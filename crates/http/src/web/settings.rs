//! Organization settings: `/admin/settings` (name, time zone, language; integration keys masked).

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
