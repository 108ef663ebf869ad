//! `/api/v1/auth`: sign-in, 2FA, refresh, logout, me (CONTRACT section 4).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::auth::login::{self, LoginOutcome, TokenPair, UserView};
use vendhub_app::auth::password;
use vendhub_app::auth::sessions::{self, SessionView};
use vendhub_app::auth::two_factor::{self, BackupCodes, SetupAnswer};

use crate::HttpState;
use crate::extract::{Auth, Json, Meta};
use crate::params::Path;
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::SessionId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(login_handler))
        .routes(routes!(verify_2fa))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(setup_2fa))
        .routes(routes!(enable_2fa))
        .routes(routes!(disable_2fa))
        .routes(routes!(change_password))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(switch_organization))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequestBody {
    email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetConfirmBody {
    token: String,
    new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SwitchBody {
    organization_id: String,
}

/// Change your password (your other sessions end).
#[utoipa::path(post, path = "/api/v1/auth/password/change", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses((status = 204, description = "changed"), (status = 400, body = Problem), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn change_password(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
    Json(b): Json<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    password::change(&s.app, &who, &b.current_password, &b.new_password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a password reset e-mail. Always 202, whether or not the address is known.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequestBody,
    responses((status = 202, description = "if the address is known, a mail is on its way")),
    extensions(("x-permission" = json!("public"))))]
async fn request_reset(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<ResetRequestBody>,
) -> Result<StatusCode, ApiError> {
    password::request_reset(&s.app, &b.email, &meta).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with the token from the reset e-mail (1 hour, single use; every session ends).
#[utoipa::path(post, path = "/api/v1/auth/password/reset/confirm", tag = "auth", request_body = ResetConfirmBody,
    responses((status = 204, description = "password set"), (status = 400, body = Problem), (status = 422, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn confirm_reset(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<ResetConfirmBody>,
) -> Result<StatusCode, ApiError> {
    password::confirm_reset(&s.app, &b.token, &b.new_password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your live sessions.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [SessionView]), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn list_sessions(
    State(s): State<HttpState>,
    Auth(who): Auth,
) -> Result<axum::Json<Vec<SessionView>>, ApiError> {
    Ok(axum::Json(sessions::list(&s.app, &who).await?))
}

/// End one of your sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204, description = "ended"), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn revoke_session(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
    Path(id): Path<SessionId>,
) -> Result<StatusCode, ApiError> {
    sessions::revoke(&s.app, &who, &id.to_string(), &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Act in another of your organizations: new tokens for it (audited).
#[utoipa::path(post, path = "/api/v1/auth/switch-organization", tag = "auth", security(("bearer" = [])),
    request_body = SwitchBody, responses((status = 200, body = TokenPair), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn switch_organization(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
    Json(b): Json<SwitchBody>,
) -> Result<axum::Json<TokenPair>, ApiError> {
    let target = b
        .organization_id
        .parse()
        .map_err(|_| vendhub_app::AppError::NotFound)?;
    Ok(axum::Json(
        vendhub_app::organizations::switch(&s.app, &who, target, &meta).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyBody {
    challenge_token: String,
    /// A 6-digit TOTP code or a backup code.
    code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshBody {
    refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CodeBody {
    code: String,
}

/// Sign in with e-mail and password. With 2FA on, answers a challenge instead of tokens.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, description = "tokens, or `{requires_2fa, challenge_token}`", body = TokenPair),
        (status = 401, body = Problem), (status = 429, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn login_handler(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<LoginBody>,
) -> Result<Response, ApiError> {
    match login::login(&s.app, &b.email, &b.password, &meta).await? {
        LoginOutcome::Tokens(t) => Ok(axum::Json(t).into_response()),
        LoginOutcome::TwoFactorRequired { challenge_token } => Ok(axum::Json(
            json!({ "requires_2fa": true, "challenge_token": challenge_token }),
        )
        .into_response()),
    }
}

/// Complete a sign-in with a TOTP or backup code.
#[utoipa::path(post, path = "/api/v1/auth/2fa/verify", tag = "auth", request_body = VerifyBody,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 429, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn verify_2fa(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<VerifyBody>,
) -> Result<axum::Json<TokenPair>, ApiError> {
    Ok(axum::Json(
        two_factor::verify_login(&s.app, &b.challenge_token, &b.code, &meta).await?,
    ))
}

/// New tokens for a refresh token (each refresh token works once; reuse ends the whole session family).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("public"))))]
async fn refresh(
    State(s): State<HttpState>,
    Meta(meta): Meta,
    Json(b): Json<RefreshBody>,
) -> Result<axum::Json<TokenPair>, ApiError> {
    Ok(axum::Json(login::refresh(&s.app, &b.refresh_token, &meta).await?))
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "signed out"), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn logout(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
) -> Result<StatusCode, ApiError> {
    login::logout(&s.app, &who, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn me(State(s): State<HttpState>, Auth(who): Auth) -> Result<axum::Json<UserView>, ApiError> {
    Ok(axum::Json(login::me(&s.app, &who).await?))
}

/// Start 2FA setup: a secret and an `otpauth://` URL for an authenticator app.
#[utoipa::path(post, path = "/api/v1/auth/2fa/setup", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = SetupAnswer), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn setup_2fa(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
) -> Result<axum::Json<SetupAnswer>, ApiError> {
    Ok(axum::Json(two_factor::setup(&s.app, &who, &meta).await?))
}

/// Confirm 2FA with a code from the app; answers 10 single-use backup codes.
#[utoipa::path(post, path = "/api/v1/auth/2fa/enable", tag = "auth", security(("bearer" = [])), request_body = CodeBody,
    responses((status = 200, body = BackupCodes), (status = 401, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "no 2FA setup started, or a wrong code")),
    extensions(("x-permission" = json!("authenticated"))))]
async fn enable_2fa(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
    Json(b): Json<CodeBody>,
) -> Result<axum::Json<BackupCodes>, ApiError> {
    Ok(axum::Json(
        two_factor::enable(&s.app, &who, &b.code, &meta).await?,
    ))
}

/// Turn 2FA off (needs a current or backup code).
#[utoipa::path(post, path = "/api/v1/auth/2fa/disable", tag = "auth", security(("bearer" = [])), request_body = CodeBody,
    responses((status = 204, description = "2FA off"), (status = 401, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("authenticated"))))]
async fn disable_2fa(
    State(s): State<HttpState>,
    Auth(who): Auth,
    Meta(meta): Meta,
    Json(b): Json<CodeBody>,
) -> Result<StatusCode, ApiError> {
    two_factor::disable(&s.app, &who, &b.code, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
