//! The dashboard, `/admin`.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use vendhub_domain::roles::Permission;

use super::{PageCtx, Panel, WebError, page};
use crate::HttpState;

#[derive(Template)]
#[template(path = "admin/coming.html")]
struct Dashboard {
    page: PageCtx,
    title: &'static str,
    what: &'static str,
}

async fn dashboard(panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::DashboardsRead)?;
    page(&Dashboard {
        page: panel.page,
        title: "nav.dashboard",
        what: "coming.reports",
    })
}

pub fn routes() -> Router<HttpState> {
    Router::new().route("/admin", get(dashboard))
}
