//! `/api/v1/audit`: the organization's audit log, for admins.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::audit::{self, AuditEntry};
use vendhub_app::paging::{PageRequest, Paged};

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Query;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    page: Option<i64>,
    limit: Option<i64>,
    /// e.g. `auth.login`, `user.create`
    action: Option<String>,
    entity_type: Option<String>,
}

/// Audit records, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [AuditEntry], meta}`"), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("audit_read"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::AuditRead>,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<Paged<AuditEntry>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    Ok(axum::Json(
        audit::list(&s.app, &who, q.action, q.entity_type, page).await?,
    ))
}
