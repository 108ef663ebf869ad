//! Extractors: JSON bodies, query strings and path parameters whose rejections are problem+json naming
//! the field, the caller's `Principal` from a bearer token, permission guards, and where a request came
//! from.

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use vendhub_app::AppError;
use vendhub_app::auth::{Principal, RequestMeta};
use vendhub_app::error::FieldError;
use vendhub_domain::roles::Permission;

use crate::HttpState;
use crate::problem::{ApiError, Problem, json_rejection};

/// `axum::Json`, with malformed bodies (400), wrong content types (415) and oversized bodies (413)
/// answered as problem+json. Text containing NUL characters is refused here (400): no field has a use for
/// them, and PostgreSQL cannot store them.
pub struct Json<T>(pub T);

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(&rejection)),
        };
        if has_nul(&value) {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "text must not contain NUL characters",
            ));
        }
        serde_path_to_error::deserialize(value).map(Self).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            let field = match crate::params::missing_field(&message) {
                Some(name) if path == "." => name.to_owned(),
                _ => path,
            };
            let mut problem = Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                format!("the body does not fit: {field}: {message}"),
            );
            problem.errors = vec![FieldError::new(field, message)];
            problem
        })
    }
}

/// The authenticated caller. Missing, malformed, expired or revoked tokens are 401.
pub struct Auth(pub Principal);

/// The principal this extractor verified for the request, kept so that a second extractor of the same
/// request does not verify again. Private: nothing else can put a caller into a request.
#[derive(Clone)]
struct Verified(Principal);

impl FromRequestParts<HttpState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, Self::Rejection> {
        if let Some(Verified(p)) = parts.extensions.get::<Verified>() {
            return Ok(Self(p.clone()));
        }
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized)?;
        let principal = vendhub_app::auth::login::authenticate(&state.app, token.trim()).await?;
        parts.extensions.insert(Verified(principal.clone()));
        Ok(Self(principal))
    }
}

/// A permission, as a type, for [`Allowed`].
pub trait Needs: Send + Sync + 'static {
    const PERMISSION: Permission;
}

/// The authenticated caller, who holds the permission `P` in their organization (403 otherwise). Routes
/// state what they need in their signature, so no handler checks roles by hand.
pub struct Allowed<P: Needs>(pub Principal, pub PhantomData<P>);

impl<P: Needs> FromRequestParts<HttpState> for Allowed<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, Self::Rejection> {
        let Auth(p) = Auth::from_request_parts(parts, state).await?;
        p.require(P::PERMISSION)?;
        Ok(Self(p, PhantomData))
    }
}

/// Permission markers for [`Allowed`].
pub mod perm {
    use super::{Needs, Permission};

    macro_rules! marker {
        ($($name:ident),*) => {$(
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    marker!(
        UsersManage,
        AuditRead,
        DashboardsRead,
        SettingsManage,
        OrganizationCreate,
        OrganizationDelete,
        FleetRead,
        FleetManage,
        StockRead,
        StockManage,
        TasksManage,
        TasksWorkOwn,
        CollectionsReview,
        FinanceRead,
        FinanceManage,
        IntegrationsManage
    );
}

/// Where the request came from: client IP (through trusted proxies), user agent, request id.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Self(RequestMeta {
            ip: client_ip(parts).map(|ip| ip.to_string()),
            user_agent: header("user-agent"),
            request_id: header("x-request-id"),
        }))
    }
}

/// The client's address: resolved through trusted proxies ([`crate::client_addr`]), else the peer's.
pub fn client_ip(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<crate::client_addr::ClientAddr>()
        .map(|c| c.0)
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
}
