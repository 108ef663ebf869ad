//! The uzum webhook (being built).

use utoipa_axum::router::OpenApiRouter;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
}
