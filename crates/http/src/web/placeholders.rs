//! Sections whose issues are still open (alerts, reports): in the navigation, saying
//! what is coming.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use vendhub_domain::roles::Permission;

use super::{PageCtx, Panel, WebError, page};
use crate::HttpState;

#[derive(Template)]
#[template(path = "admin/coming.html")]
struct Coming {
    page: PageCtx,
    title: &'static str,
    what: &'static str,
}

fn coming(
    panel: Panel,
    permission: Permission,
    title: &'static str,
    what: &'static str,
) -> Result<Response, WebError> {
    panel.require(permission)?;
    page(&Coming {
        page: panel.page,
        title,
        what,
    })
}

async fn alerts(panel: Panel) -> Result<Response, WebError> {
    coming(panel, Permission::DashboardsRead, "nav.alerts", "coming.alerts")
}

async fn reports(panel: Panel) -> Result<Response, WebError> {
    coming(panel, Permission::ReportsRead, "nav.reports", "coming.reports")
}

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/alerts", get(alerts))
        .route("/admin/reports", get(reports))
}
