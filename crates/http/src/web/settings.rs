//! Organization settings: `/admin/settings` (name, time zone, language) and the server's integration
//! settings (`PAYME_*`, `SMTP_*`, …), read-only and masked by the server before they reach this crate.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::organizations::{self, OrganizationInput, OrganizationView};
use vendhub_domain::roles::Permission;

use super::i18n::Lang;
use super::session::see_other;
use super::{Form, PageCtx, Panel, WebError, page};
use crate::HttpState;
use crate::extract::Meta;

pub fn routes() -> Router<HttpState> {
    Router::new().route("/admin/settings", get(show).post(save))
}

#[derive(Template)]
#[template(path = "admin/settings/settings.html")]
struct SettingsPage<'a> {
    page: PageCtx,
    org: OrganizationView,
    languages: [Lang; 3],
    zones: Vec<&'static str>,
    /// (variable, masked value or `None` when not set).
    integrations: &'a [(String, Option<String>)],
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/settings`.
async fn show(
    State(state): State<HttpState>,
    panel: Panel,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    panel.require(Permission::SettingsManage)?;
    let org = organizations::current(&state.app, &panel.who).await?;
    page(&SettingsPage {
        page: panel.page,
        org,
        languages: Lang::ALL,
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        integrations: &state.config.integrations,
        saved: q.saved.is_some(),
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    name: String,
    timezone: String,
    language: String,
}

/// The IANA time zone a form names (parsed here, so `Mars/Base` is refused like `not a zone`).
fn time_zone(raw: &str) -> Result<chrono_tz::Tz, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::Validation(vec![FieldError::new(
            "timezone",
            "must be an IANA time zone such as Asia/Tashkent",
        )])
    })
}

/// `POST /admin/settings`.
async fn save(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<SettingsForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::SettingsManage)?;
    let input = OrganizationInput {
        name: f.name,
        timezone: time_zone(&f.timezone)?.name().to_owned(),
        language: f.language,
    };
    organizations::update(&state.app, &panel.who, input, &meta).await?;
    Ok(see_other("/admin/settings?saved=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_real_time_zone_passes() {
        assert_eq!(time_zone(" Asia/Tashkent ").unwrap().name(), "Asia/Tashkent");
        assert!(time_zone("Mars/Base").is_err());
        assert!(time_zone("not a zone").is_err());
    }
}
