//! What the panel shows when something goes wrong: a page in the person's language that says what
//! happened (never a stack trace), a redirect to the sign-in page when nobody is signed in.
//!
//! A handler returns [`WebError`]; it becomes an empty response carrying the error, and [`render`] (a
//! layer that knows the request's language) turns that into the page.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use vendhub_app::AppError;

use super::i18n::Tr;
use super::session::anonymous_tr;

/// An error of a panel page.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in (or the session ended): to the sign-in page, then back to this path.
    SignIn(String),
    /// A state-changing request without this session's CSRF token.
    Csrf,
    App(AppError),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthorized => Self::SignIn("/admin".into()),
            e => Self::App(e),
        }
    }
}

/// The error a response carries until [`render`] makes it a page.
#[derive(Clone)]
struct Pending {
    status: StatusCode,
    title: &'static str,
    detail: Option<String>,
    fields: Vec<(String, String)>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let pending = match self {
            Self::SignIn(next) => {
                let to = format!("/admin/login?next={}", encode(&next));
                let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to.clone())]).into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    res.headers_mut().insert("hx-redirect", v);
                }
                return res;
            }
            Self::Csrf => Pending {
                status: StatusCode::FORBIDDEN,
                title: "errors.csrf",
                detail: None,
                fields: Vec::new(),
            },
            Self::App(e) => pending_of(e),
        };
        let mut res = pending.status.into_response();
        res.extensions_mut().insert(pending);
        res
    }
}

fn pending_of(e: AppError) -> Pending {
    let (status, title, detail, fields) = match e {
        AppError::Validation(fields) => (
            StatusCode::BAD_REQUEST,
            "errors.invalid",
            None,
            fields.into_iter().map(|f| (f.field, f.message)).collect(),
        ),
        AppError::NotFound => (StatusCode::NOT_FOUND, "errors.not_found", None, Vec::new()),
        AppError::Conflict(m) => (StatusCode::CONFLICT, "errors.conflict", Some(m), Vec::new()),
        AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "errors.sign_in", None, Vec::new()),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "errors.forbidden", None, Vec::new()),
        AppError::Rule(_, m) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "errors.rule",
            Some(m),
            Vec::new(),
        ),
        AppError::RateLimited { .. } | AppError::Locked { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, "errors.too_many", None, Vec::new())
        }
        AppError::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "errors.too_large",
            None,
            Vec::new(),
        ),
        AppError::UnsupportedType(m) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "errors.invalid",
            Some(m),
            Vec::new(),
        ),
        AppError::InvalidCode => (StatusCode::BAD_REQUEST, "errors.invalid_code", None, Vec::new()),
        AppError::Unavailable(m) => {
            tracing::warn!(error = %m, "a page could not be served");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "errors.unavailable",
                None,
                Vec::new(),
            )
        }
        AppError::Internal(m) => {
            tracing::error!(error = %m, "a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "errors.internal",
                None,
                Vec::new(),
            )
        }
    };
    Pending {
        status,
        title,
        detail,
        fields,
    }
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    title: &'a str,
    detail: Option<&'a str>,
    fields: &'a [(String, String)],
    fragment: bool,
}

/// Renders the error a response carries as a page (a fragment for htmx requests), in the request's
/// language.
pub async fn render(req: Request, next: Next) -> Response {
    let t = anonymous_tr(req.headers(), req.uri().query());
    let htmx = req.headers().contains_key("hx-request");
    let res = next.run(req).await;
    let Some(p) = res.extensions().get::<Pending>().cloned() else {
        return res;
    };
    let page = ErrorPage {
        t,
        status: p.status.as_u16(),
        title: t.t(p.title),
        detail: p.detail.as_deref(),
        fields: &p.fields,
        fragment: htmx,
    };
    match page.render() {
        Ok(body) => {
            let mut res = (p.status, Html(body)).into_response();
            if htmx {
                // htmx swaps only 2xx answers by default; show the error where the request was made.
                res.headers_mut()
                    .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
                res.headers_mut()
                    .insert("hx-retarget", HeaderValue::from_static("#flash"));
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "the error page failed to render");
            p.status.into_response()
        }
    }
}
