//! `/api/v1/dashboard`: the organization's figures at a glance, the same view the panel's `/admin` shows.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::dashboard::{self, DashboardView};

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(summary))
}

/// Sales today and this month (days in the organization's time zone), machines by status, machines
/// offline or low on stock, open and overdue tasks, cash expected in the machines, the latest
/// collections' over/short, and the last 30 days by day, payment method and product. Money in tiyin.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = DashboardView), (status = 401, body = Problem), (status = 403, body = Problem)),
    extensions(("x-permission" = json!("dashboards_read"))))]
async fn summary(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::DashboardsRead>,
) -> Result<axum::Json<DashboardView>, ApiError> {
    Ok(axum::Json(dashboard::summary(&s.app, &who).await?))
}
