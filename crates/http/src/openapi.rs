//! The OpenAPI 3.1 document (`/openapi.json`) and Swagger UI (`/docs`) from vendored assets, no CDN.

use axum::Json;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::OpenApi;

use crate::HttpState;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "VendHub API", description = "Vending fleet operations: machines, stock, tasks, sales, payments."),
    tags(
        (name = "health", description = "Health and readiness (runbook section 4.1)"),
        (name = "auth", description = "Sign-in, two-factor authentication, tokens"),
        (name = "users", description = "People of an organization and invitations"),
        (name = "organizations", description = "Organizations (tenants) and their settings"),
        (name = "audit", description = "The audit log"),
        (name = "locations", description = "Where machines stand"),
        (name = "products", description = "The catalog"),
        (name = "machines", description = "The fleet: machines, their moves and QR codes"),
        (name = "inventory", description = "Warehouses and the stock ledger"),
        (name = "tasks", description = "Field tasks: state changes, photo proof, completion"),
        (name = "cash", description = "Cash collections and over/short"),
    ),
    // Items of paged lists (`openapi_rules` builds their `ItemPage` schemas), which no route names itself.
    components(schemas(
        vendhub_app::audit::AuditEntry,
        vendhub_app::cash_collections::CollectionView,
        vendhub_app::locations::LocationView,
        vendhub_app::machines::MachineView,
        vendhub_app::users::Member,
        vendhub_app::stock::MovementView,
        vendhub_app::products::ProductView,
        vendhub_app::tasks::TaskView,
        vendhub_app::paging::PageMeta,
    )),
    modifiers(&BearerAuth)
)]
struct Base;

/// Declares the `bearer` security scheme that authenticated routes name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "machine_key",
            utoipa::openapi::security::SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("X-Api-Key"),
            )),
        );
    }
}

pub fn base() -> OpenApi {
    <Base as utoipa::OpenApi>::openapi()
}

const SWAGGER_JS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui.css");
const SWAGGER_INIT: &str = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });\n";
const SWAGGER_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VendHub API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>
"#;

/// `/openapi.json` always; `/docs` when enabled.
pub fn routes(doc: OpenApi, swagger: bool) -> Router<HttpState> {
    let json = std::sync::Arc::new(doc);
    let mut r = Router::new().route("/openapi.json", get(move || async move { Json((*json).clone()) }));
    if swagger {
        r = r
            .route(
                "/docs",
                get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], SWAGGER_HTML) }),
            )
            .route(
                "/docs/swagger-ui-bundle.js",
                get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], SWAGGER_JS).into_response() }),
            )
            .route(
                "/docs/swagger-ui.css",
                get(|| async { ([(header::CONTENT_TYPE, "text/css")], SWAGGER_CSS).into_response() }),
            )
            .route(
                "/docs/init.js",
                get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], SWAGGER_INIT) }),
            );
    }
    r
}
