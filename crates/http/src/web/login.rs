//! Signing in and out of the panel: e-mail and password, then the TOTP (or backup) code when 2FA is on;
//! a new server-side session per sign-in in an `HttpOnly` cookie; logout ends it; an owner's explicit
//! switch to another organization opens a session there and ends this one.

use askama::Template;

use super::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use rand::RngCore;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::auth::login::{self, LoginOutcome, TokenPair};
use vendhub_app::auth::two_factor;
use vendhub_domain::ids::OrganizationId;

use super::error::WebError;
use super::i18n::Tr;
use super::session::{LOGIN_CSRF_COOKIE, Panel, anonymous_tr, see_other};
use crate::HttpState;
use crate::cookies;
use crate::extract::Meta;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    t: Tr,
    csrf: &'a str,
    next: &'a str,
    email: &'a str,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/login_2fa.html")]
struct TwoFactorPage<'a> {
    t: Tr,
    csrf: &'a str,
    next: &'a str,
    challenge: &'a str,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path of the panel itself is a place to go back to after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/admin") && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/admin",
    }
}

/// The double-submit token of the sign-in forms: the cookie's, or a new one.
fn login_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookies::read(headers, LOGIN_CSRF_COOKIE).filter(|v| v.len() == 64) {
        Some(v) => (v, false),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            (hex::encode(bytes), true)
        }
    }
}

fn html_page(status: StatusCode, html: Result<String, askama::Error>) -> Response {
    match html {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => WebError::App(AppError::internal(e)).into_response(),
    }
}

/// `GET /admin/login`.
pub async fn form(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<NextQuery>,
) -> Response {
    let t = anonymous_tr(&headers, uri.query());
    let (csrf, fresh) = login_csrf(&headers);
    let page = LoginPage {
        t,
        csrf: &csrf,
        next: safe_next(q.next.as_deref()),
        email: "",
        error: None,
    };
    let mut res = html_page(StatusCode::OK, page.render());
    if fresh && let Some(v) = cookies::cookie(LOGIN_CSRF_COOKIE, &csrf, state.config.secure_cookies, 3600) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Sets the session cookie of a new session and goes on to `next`.
fn signed_in(state: &HttpState, tokens: &TokenPair, next: &str) -> Response {
    let mut res = see_other(next);
    let max_age = state.app.auth().refresh_ttl.as_secs();
    if let Some(v) = cookies::session_cookie(&tokens.refresh_token, state.config.secure_cookies, max_age) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// `POST /admin/login`.
pub async fn submit(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Meta(meta): Meta,
    Form(f): Form<LoginForm>,
) -> Response {
    let t = anonymous_tr(&headers, uri.query());
    let next = safe_next(f.next.as_deref());
    let failed = |key: &'static str, status: StatusCode| {
        let page = LoginPage {
            t,
            csrf: &f.csrf,
            next,
            email: &f.email,
            error: Some(key),
        };
        html_page(status, page.render())
    };
    match login::login(&state.app, &f.email, &f.password, &meta).await {
        Ok(LoginOutcome::Tokens(tokens)) => signed_in(&state, &tokens, next),
        Ok(LoginOutcome::TwoFactorRequired { challenge_token }) => {
            let page = TwoFactorPage {
                t,
                csrf: &f.csrf,
                next,
                challenge: &challenge_token,
                error: None,
            };
            html_page(StatusCode::OK, page.render())
        }
        Err(AppError::Unauthorized) => failed("login.failed", StatusCode::UNAUTHORIZED),
        Err(AppError::Locked { .. } | AppError::RateLimited { .. }) => {
            failed("login.locked", StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => WebError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    challenge_token: String,
    code: String,
    next: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// `POST /admin/login/2fa`: the TOTP code or a backup code.
pub async fn two_factor(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Meta(meta): Meta,
    Form(f): Form<TwoFactorForm>,
) -> Response {
    let t = anonymous_tr(&headers, uri.query());
    let next = safe_next(f.next.as_deref());
    match two_factor::verify_login(&state.app, &f.challenge_token, f.code.trim(), &meta).await {
        Ok(tokens) => signed_in(&state, &tokens, next),
        Err(AppError::InvalidCode) => {
            let page = TwoFactorPage {
                t,
                csrf: &f.csrf,
                next,
                challenge: &f.challenge_token,
                error: Some("login.bad_code"),
            };
            html_page(StatusCode::UNAUTHORIZED, page.render())
        }
        Err(AppError::Locked { .. } | AppError::RateLimited { .. }) => {
            let page = LoginPage {
                t,
                csrf: &f.csrf,
                next,
                email: "",
                error: Some("login.locked"),
            };
            html_page(StatusCode::TOO_MANY_REQUESTS, page.render())
        }
        // An expired or forged challenge: start again.
        Err(AppError::Unauthorized) => {
            let page = LoginPage {
                t,
                csrf: &f.csrf,
                next,
                email: "",
                error: Some("login.expired"),
            };
            html_page(StatusCode::UNAUTHORIZED, page.render())
        }
        Err(e) => WebError::from(e).into_response(),
    }
}

fn signed_out(state: &HttpState) -> Response {
    let mut res = see_other("/admin/login");
    if let Some(v) = cookies::clear_session_cookie(state.config.secure_cookies) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// `POST /admin/logout`: ends the session (on every replica at once: it is revoked in the database).
pub async fn logout(
    State(state): State<HttpState>,
    panel: Result<Panel, WebError>,
    Meta(meta): Meta,
) -> Response {
    if let Ok(panel) = panel
        && let Err(e) = login::logout(&state.app, &panel.who, &meta).await
    {
        return WebError::from(e).into_response();
    }
    signed_out(&state)
}

#[derive(Deserialize)]
pub struct SwitchForm {
    organization_id: String,
}

/// `POST /admin/organization`: act in another organization of the person's (audited there).
pub async fn switch_organization(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<SwitchForm>,
) -> Result<Response, WebError> {
    let target: OrganizationId = f.organization_id.parse().map_err(|_| AppError::NotFound)?;
    let tokens = vendhub_app::organizations::switch(&state.app, &panel.who, target, &meta).await?;
    login::logout(&state.app, &panel.who, &meta).await?;
    Ok(signed_in(&state, &tokens, "/admin"))
}

/// `GET /`: the panel.
pub async fn root() -> Response {
    see_other("/admin")
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_panel_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/admin/tasks?status=open")),
            "/admin/tasks?status=open"
        );
        assert_eq!(safe_next(Some("https://evil.example/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.example")), "/admin");
        assert_eq!(safe_next(Some("/api/v1/machines")), "/admin");
        assert_eq!(safe_next(None), "/admin");
    }
}
