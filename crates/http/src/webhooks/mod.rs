//! Payment providers calling in (CONTRACT §6): each answers in its provider's own protocol and status
//! codes, never problem+json. The installation's merchant account is served at
//! `/api/v1/payments/{provider}/…`, an organization's own at `/api/v1/payments/{provider}/{organization_slug}/…`.

pub mod click;
pub mod payme;
pub mod uzum;

use utoipa_axum::router::OpenApiRouter;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .merge(payme::routes())
        .merge(click::routes())
        .merge(uzum::routes())
}
