//! `/admin/profile`: the signed-in person's own account: their password, two-factor authentication (a
//! QR code of the `otpauth://` URL, a code to confirm, then the backup codes shown once), and their
//! sign-in sessions (end one). The same use cases as `/api/v1/auth/…`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::auth::login::{self, UserView};
use vendhub_app::auth::{password, sessions, two_factor};

use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/profile", get(show))
        .route("/admin/profile/password", post(change_password))
        .route("/admin/profile/2fa/setup", post(setup_2fa))
        .route("/admin/profile/2fa/enable", post(enable_2fa))
        .route("/admin/profile/2fa/disable", post(disable_2fa))
        .route("/admin/profile/sessions/{id}/end", post(end_session))
}

/// A started 2FA setup: the secret to type and the QR code (inline SVG, no script) to scan.
struct Setup {
    secret: String,
    qr_svg: String,
}

struct SessionRow {
    id: String,
    ip: String,
    user_agent: String,
    created: String,
    last_used: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "admin/people/profile.html")]
struct ProfilePage {
    page: PageCtx,
    me: UserView,
    sessions: Vec<SessionRow>,
    setup: Option<Setup>,
    /// The backup codes of a 2FA just enabled (shown this once).
    backup_codes: Vec<String>,
    /// Catalog key of what was just done.
    done: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_key(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "password" => Some("people.profile.password_changed"),
        "2fa_off" => Some("people.profile.two_factor_disabled"),
        "session" => Some("people.profile.session_ended"),
        _ => None,
    }
}

async fn render(
    state: &HttpState,
    panel: Panel,
    setup: Option<Setup>,
    backup_codes: Vec<String>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let (me, list) = tokio::try_join!(
        login::me(&state.app, &panel.who),
        sessions::list(&state.app, &panel.who),
    )?;
    let t = &panel.page.t;
    let sessions = list
        .into_iter()
        .map(|s| SessionRow {
            ip: s.ip.unwrap_or_default(),
            user_agent: s.user_agent.unwrap_or_default(),
            created: t.datetime(&s.created_at),
            last_used: t.datetime(&s.last_used_at),
            current: s.current,
            id: s.id,
        })
        .collect();
    page(&ProfilePage {
        page: panel.page,
        me,
        sessions,
        setup,
        backup_codes,
        done,
    })
}

/// `GET /admin/profile`.
async fn show(
    State(state): State<HttpState>,
    panel: Panel,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    render(&state, panel, None, Vec::new(), done_key(q.done.as_deref())).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// `POST /admin/profile/password`: the person's other sessions end.
async fn change_password(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    password::change(
        &state.app,
        &panel.who,
        &f.current_password,
        &f.new_password,
        &meta,
    )
    .await?;
    Ok(see_other("/admin/profile?done=password"))
}

/// The QR code of an `otpauth://` URL as inline SVG (without its XML declaration).
fn qr_svg(url: &str) -> Result<String, AppError> {
    let svg = crate::qr::svg(url).map_err(AppError::internal)?;
    Ok(svg.find("<svg").map_or(svg.clone(), |i| svg[i..].to_owned()))
}

/// `POST /admin/profile/2fa/setup`: a new secret, shown as a QR code with the form for the first code.
async fn setup_2fa(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
) -> Result<Response, WebError> {
    let answer = two_factor::setup(&state.app, &panel.who, &meta).await?;
    let setup = Setup {
        qr_svg: qr_svg(&answer.otpauth_url)?,
        secret: answer.secret,
    };
    render(&state, panel, Some(setup), Vec::new(), None).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /admin/profile/2fa/enable`: 2FA on; the backup codes are in this answer only.
async fn enable_2fa(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    let codes = two_factor::enable(&state.app, &panel.who, &f.code, &meta).await?;
    render(&state, panel, None, codes.backup_codes, None).await
}

/// `POST /admin/profile/2fa/disable` (needs a current or backup code).
async fn disable_2fa(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    two_factor::disable(&state.app, &panel.who, &f.code, &meta).await?;
    Ok(see_other("/admin/profile?done=2fa_off"))
}

/// `POST /admin/profile/sessions/{id}/end`: another person's session is "not found".
async fn end_session(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    sessions::revoke(&state.app, &panel.who, &id, &meta).await?;
    Ok(see_other("/admin/profile?done=session"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_bare_svg_without_styles_or_scripts() {
        let svg = qr_svg("otpauth://totp/VendHub:a%40b.uz?secret=JBSWY3DPEHPK3PXP&issuer=VendHub").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("style=") && !svg.contains("<script"));
    }
}
