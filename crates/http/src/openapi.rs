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

/// The error answers every operation really gives, added from what the operation is (so a new route
/// cannot forget them), each as `application/problem+json` with the `Problem` schema:
/// - 401 when it needs a token or a machine key, 403 when it needs a permission a role may lack;
/// - 400, 413 and 415 when it takes a body (bad JSON or fields, too large, wrong content type);
/// - 400 when it takes query parameters, 404 when it names a record in its path;
/// - 429 for every `/api/v1` route (the general rate limit);
/// - 405 is left out: it is the answer to a method a path does not document.
///
/// Error answers a handler documented with a JSON body are moved to `application/problem+json`.
pub fn document_errors(doc: &mut OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    for (path, item) in &mut doc.paths.paths {
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
            let permission = op
                .extensions
                .as_ref()
                .and_then(|e| serde_json::to_value(e).ok())
                .and_then(|v| v.get("x-permission").and_then(|p| p.as_str().map(str::to_owned)))
                .unwrap_or_default();
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let params = op.parameters.as_deref().unwrap_or_default();
            let in_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
            let in_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
            let mut add: Vec<(&str, &str)> = Vec::new();
            if secured {
                add.push(("401", "missing, invalid or revoked credentials"));
            }
            if secured && !matches!(permission.as_str(), "" | "public" | "authenticated") {
                add.push(("403", "the caller's role does not allow it"));
            }
            if op.request_body.is_some() {
                add.push(("400", "malformed body or invalid fields"));
                add.push(("413", "the body is too large"));
                add.push(("415", "the body's content type is not accepted"));
            }
            if in_query {
                add.push(("400", "a query parameter does not parse"));
            }
            if in_path {
                add.push(("404", "no such record in the caller's organization"));
            }
            if path.starts_with("/api/v1/") {
                add.push(("429", "too many requests; retry after `Retry-After` seconds"));
            }
            for (status, why) in add {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(why));
            }
            for (status, response) in &mut op.responses.responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if let utoipa::openapi::RefOr::T(r) = response {
                    if let Some(json) = r.content.shift_remove("application/json") {
                        r.content.insert(PROBLEM_JSON.to_owned(), json);
                    }
                    if r.content.is_empty() {
                        *response = problem_response(&r.description);
                    }
                }
            }
        }
    }
}

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let description = if description.is_empty() {
        "error"
    } else {
        description
    };
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}
