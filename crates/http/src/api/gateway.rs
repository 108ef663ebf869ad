//! `/api/v1/gateway`: where machines and telemetry boxes call in, with a machine API key in the
//! `X-Api-Key` header (or `Authorization: Bearer vhk_…`). A missing, unknown or revoked key is 401; a key
//! used for another machine is 403.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::gateway::dex::{self, DexImport};
use vendhub_app::gateway::events::{self, Batch, BatchReport};
use vendhub_app::gateway::{MachineCaller, keys};
use vendhub_app::orders::commands::{self, CommandOutcome, CommandResult, Commands};

use crate::HttpState;
use crate::extract::Json;
use crate::params::Query;
use crate::problem::{self, ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(post_events))
        .routes(routes!(post_dex))
        .routes(routes!(get_commands))
        .routes(routes!(post_command_result))
}

#[derive(Deserialize, IntoParams)]
pub struct CommandsQuery {
    /// Seconds to wait for a command when none is pending (0 to 30; default 25).
    wait: Option<u64>,
}

/// Long-polls the machine's commands (a vend for each paid order): answers at once when one is waiting,
/// else when one is queued or after `wait` seconds with none. Each command is handed out once.
#[utoipa::path(get, path = "/api/v1/gateway/commands", tag = "gateway", params(CommandsQuery),
    security(("machine_key" = [])),
    responses((status = 200, body = Commands), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn get_commands(
    State(s): State<HttpState>,
    MachineKey(caller): MachineKey,
    Query(q): Query<CommandsQuery>,
) -> Result<axum::Json<Commands>, ApiError> {
    let wait = std::time::Duration::from_secs(q.wait.unwrap_or(25).min(30));
    Ok(axum::Json(commands::poll(&s.app, &caller, wait).await?))
}

/// The machine's answer to a command: `dispensed` records the sale and moves the stock; `failed` starts the
/// refund. A repeat answers the first outcome; a result after the command expired changes nothing (the
/// order is being refunded) and answers `expired`.
#[utoipa::path(post, path = "/api/v1/gateway/commands/{id}/result", tag = "gateway",
    params(("id" = String, Path, description = "The command's id")), request_body = CommandResult,
    security(("machine_key" = [])),
    responses((status = 200, body = CommandOutcome), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn post_command_result(
    State(s): State<HttpState>,
    MachineKey(caller): MachineKey,
    crate::params::Path(id): crate::params::Path<uuid::Uuid>,
    Json(body): Json<CommandResult>,
) -> Result<axum::Json<CommandOutcome>, ApiError> {
    Ok(axum::Json(
        commands::result(&s.app, &caller, &id.to_string(), body).await?,
    ))
}

/// The machine a gateway request speaks for, from its API key.
pub struct MachineKey(pub MachineCaller);

fn unauthorized(detail: &str) -> Response {
    let mut res = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("ApiKey header=\"X-Api-Key\""),
    );
    res
}

impl FromRequestParts<HttpState> for MachineKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, Self::Rejection> {
        let header_value = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let presented = header_value(header::HeaderName::from_static("x-api-key")).or_else(|| {
            header_value(header::AUTHORIZATION)
                .and_then(|v| v.strip_prefix("Bearer "))
                .filter(|k| k.trim_start().starts_with(keys::KEY_PREFIX))
        });
        let Some(presented) = presented else {
            return Err(unauthorized(
                "a machine API key is required in the X-Api-Key header",
            ));
        };
        match keys::authenticate(&state.app, presented.trim()).await {
            Ok(caller) => Ok(Self(caller)),
            Err(AppError::Unauthorized) => Err(unauthorized("the machine API key is unknown or revoked")),
            Err(other) => Err(ApiError(other).into_response()),
        }
    }
}

/// A machine's batch of heartbeats, telemetry, vends and errors (up to 1,000), taken whole or refused
/// whole. Repeated event ids are answered as duplicates and change nothing.
#[utoipa::path(post, path = "/api/v1/gateway/events", tag = "gateway", request_body = Batch,
    security(("machine_key" = [])),
    responses((status = 200, body = BatchReport), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn post_events(
    State(s): State<HttpState>,
    MachineKey(caller): MachineKey,
    Json(batch): Json<Batch>,
) -> Result<axum::Json<BatchReport>, Response> {
    events::ingest(&s.app, &caller, batch)
        .await
        .map(axum::Json)
        .map_err(problem::ingest_refused)
}

#[derive(Deserialize, IntoParams)]
pub struct DexQuery {
    /// The machine the audit is from; the key's machine when left out.
    machine_id: Option<String>,
}

/// A DEX/EVA-DTS audit file (the raw file as the body, any content type). Its counters against the
/// machine's previous audit give the sales since then (source `dex`) and the cash to expect. A file that
/// is truncated, fails its G85 check, is not text or is too large is refused whole.
#[utoipa::path(post, path = "/api/v1/gateway/dex", tag = "gateway", params(DexQuery),
    request_body(content = String, content_type = "text/plain"), security(("machine_key" = [])),
    responses((status = 201, body = DexImport), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn post_dex(
    State(s): State<HttpState>,
    MachineKey(caller): MachineKey,
    Query(q): Query<DexQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, axum::Json<DexImport>), Response> {
    let body = body.map_err(|r| {
        Problem::new(
            r.status(),
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "payload_too_large"
            } else {
                "malformed_body"
            },
            r.body_text(),
        )
        .into_response()
    })?;
    dex::import(&s.app, &caller, q.machine_id.as_deref(), &body)
        .await
        .map(|i| (StatusCode::CREATED, axum::Json(i)))
        .map_err(problem::dex_refused)
}
