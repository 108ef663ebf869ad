//! Cash collections: `/admin/collections`, expected against counted, over/short per machine and operator, confirm.

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
