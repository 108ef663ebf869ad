//! The one place errors become HTTP answers: RFC 9457 `application/problem+json`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::gateway::dex::DexFailure;
use vendhub_app::gateway::events::{IngestError, MAX_BATCH};
use vendhub_domain::dex::DexError;

/// The codes the HTTP edge answers by itself (bodies, queries and paths it cannot read, methods, timeouts,
/// refused event batches), beside the use cases' [`AppError::codes`] and the DEX parser's codes.
pub const EDGE_CODES: [&str; 7] = [
    "malformed_body",
    "malformed_request",
    "request_timeout",
    "invalid_query",
    "invalid_path",
    "method_not_allowed",
    "invalid_events",
];

/// Every `code` a problem can carry: documented as the enum of `Problem.code` and in `docs/errors.md`.
pub fn all_codes() -> Vec<&'static str> {
    let mut all = AppError::codes();
    all.extend(EDGE_CODES);
    all.extend(DexError::CODES);
    all
}

/// A problem document. `type` is a stable URI per error code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable `snake_case` code to match on.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://vendhub.dev/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// An `AppError` on its way out as HTTP.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let code = err.code();
        let (status, detail) = match &err {
            AppError::Validation(_) => (
                StatusCode::BAD_REQUEST,
                "the request has invalid fields".to_owned(),
            ),
            AppError::NotFound => (StatusCode::NOT_FOUND, "no such resource".to_owned()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "a valid access token is required".to_owned(),
            ),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "your role does not allow this".to_owned()),
            AppError::Rule(_, m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone()),
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "too many requests".to_owned()),
            AppError::Locked { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "locked after too many failed attempts; try again later".to_owned(),
            ),
            AppError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {limit} bytes"),
            ),
            AppError::UnsupportedType(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, m.clone()),
            AppError::InvalidCode => (
                StatusCode::UNAUTHORIZED,
                "the code is wrong, expired or already used".to_owned(),
            ),
            AppError::Unavailable(m) => {
                tracing::warn!(error = %m, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "a dependency is unavailable; try again".to_owned(),
                )
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "an internal error occurred".to_owned(),
                )
            }
        };
        let retry_after = match &err {
            AppError::RateLimited { retry_after_secs } | AppError::Locked { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        };
        let mut problem = Problem::new(status, code, detail);
        if let AppError::Validation(errors) = err {
            problem.errors = errors;
        }
        let mut res = problem.into_response();
        if let Some(v) = retry_after.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// A JSON body that could not be read: 400 (syntax or shape), 415 (content type), 413 (size).
pub fn json_rejection(rejection: &JsonRejection) -> Problem {
    // A body of the wrong shape (axum says 422) is bad input to us: 422 is kept for business rules.
    let status = match rejection {
        JsonRejection::JsonDataError(_) => StatusCode::BAD_REQUEST,
        other => other.status(),
    };
    let code = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        _ => "malformed_body",
    };
    Problem::new(status, code, rejection.body_text())
}

/// A route that exists, called with a method it does not answer.
pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not answer that method",
    )
}

/// Any route that does not exist.
pub async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// A batch of machine events refused: 413 over the batch size, 422 naming each bad event, 403 for
/// another machine's key.
pub fn ingest_refused(e: IngestError) -> Response {
    match e {
        IngestError::TooMany { count } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a batch holds at most {MAX_BATCH} events; this one has {count}"),
        )
        .into_response(),
        IngestError::Invalid(errors) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_events",
                format!(
                    "{} event(s) cannot be taken; the batch was refused whole",
                    errors.len()
                ),
            );
            p.errors = errors;
            p.into_response()
        }
        IngestError::App(AppError::Forbidden) => Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this API key belongs to another machine",
        )
        .into_response(),
        IngestError::App(other) => ApiError(other).into_response(),
    }
}

/// A DEX audit refused: 413 too large, 422 with the parser's `dex_*` code, 403 for another machine's key.
pub fn dex_refused(e: DexFailure) -> Response {
    match e {
        DexFailure::Refused(e) => {
            let status = match e {
                DexError::TooLarge { .. } | DexError::TooManySegments { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Problem::new(status, e.code(), format!("{e}; nothing was imported")).into_response()
        }
        DexFailure::App(AppError::Forbidden) => Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this API key belongs to another machine",
        )
        .into_response(),
        DexFailure::App(other) => ApiError(other).into_response(),
    }
}
