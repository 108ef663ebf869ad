//! Rate limits through the cache port (in-process, or Redis so that every replica counts together): a
//! general limit per caller (bearer token, else IP) and a stricter one per IP on sign-in endpoints.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use vendhub_app::AppError;

use crate::HttpState;
use crate::problem::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub window: Duration,
    /// Requests per window per caller (`RATE_LIMIT_LIMIT`).
    pub general: u64,
    /// Sign-in, 2FA, refresh, password reset and invite acceptance attempts per window per IP
    /// (`RATE_LIMIT_AUTH_LIMIT`).
    pub auth: u64,
}

const AUTH_PATHS: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/2fa/verify",
    "/api/v1/auth/refresh",
    "/api/v1/auth/password/reset",
    "/api/v1/auth/password/reset/confirm",
    "/api/v1/invites/accept",
    "/admin/login",
    "/admin/login/2fa",
];

fn exempt(path: &str) -> bool {
    path.starts_with("/health")
        || path == "/metrics"
        || path.starts_with("/docs")
        || path == "/openapi.json"
        || path.starts_with("/assets/")
        // Payment providers' webhooks answer in their own protocol (Payme: always 200); they authenticate
        // every call, and a refused one would be retried as a failure of ours.
        // (`/api/v1/payments/accounts` is the staff's API and is limited like the rest.)
        || (path.starts_with("/api/v1/payments/") && !path.starts_with("/api/v1/payments/accounts"))
}

async fn hit(state: &HttpState, key: String, limit: u64, window: Duration) -> Result<(), AppError> {
    match state.app.cache().incr(&key, window).await {
        Ok((n, left)) if n > limit => Err(AppError::RateLimited {
            retry_after_secs: left.as_secs().max(1),
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            // The limiter failing must not take the API down with it.
            tracing::warn!(error = %e, "rate limiter unavailable; letting the request through");
            Ok(())
        }
    }
}

pub async fn limit(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let Some(limits) = state.config.rate_limits else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    if exempt(&path) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<crate::client_addr::ClientAddr>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.to_string());
    // Sign-in attempts, not the sign-in page being shown.
    if req.method() != axum::http::Method::GET
        && AUTH_PATHS.contains(&path.as_str())
        && let Err(e) = hit(&state, format!("rl:auth:{ip}"), limits.auth, limits.window).await
    {
        return ApiError(e).into_response();
    }
    let caller = match req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(token) => format!("t:{}", hex::encode(&Sha256::digest(token.as_bytes())[..12])),
        // A signed-in person of the admin panel counts by their session, like a token.
        None => match crate::cookies::read(req.headers(), crate::cookies::SESSION_COOKIE) {
            Some(session) if !session.is_empty() => {
                format!("s:{}", hex::encode(&Sha256::digest(session.as_bytes())[..12]))
            }
            _ => format!("ip:{ip}"),
        },
    };
    if let Err(e) = hit(&state, format!("rl:gen:{caller}"), limits.general, limits.window).await {
        return ApiError(e).into_response();
    }
    next.run(req).await
}
