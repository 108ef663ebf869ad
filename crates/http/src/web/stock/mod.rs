//! Stock: `/admin/stock` (warehouses, operators' stock, movements, purchases, transfers, write-offs, stocktakes, pre-kit).

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
