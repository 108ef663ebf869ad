//! The panel's signed-in caller: the session cookie checked once per request by [`layer`] (the same
//! checks as a bearer token: live session, active user, active membership, the role held now), the CSRF
//! check of every state-changing request, and [`Panel`], the extractor pages take, with everything the
//! layout needs (language, organization, navigation, CSRF token).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_domain::roles::Permission;

use super::error::WebError;
use super::i18n::{self, Lang, Tr};
use super::nav::{self, NavItem};
use crate::HttpState;
use crate::cookies::{self, CSRF_FIELD, SESSION_COOKIE};

/// The pre-session CSRF cookie of the sign-in forms (double submit: the form carries the same value).
pub const LOGIN_CSRF_COOKIE: &str = "vh_login_csrf";
/// The header htmx requests carry the CSRF token in (set by `app.js` from the page's meta tag).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The principal [`layer`] verified from the session cookie.
#[derive(Clone)]
struct Verified(Principal);

/// The key CSRF tokens are signed with.
fn csrf_key(state: &HttpState) -> &[u8] {
    state.app.auth().refresh_secret.as_bytes()
}

/// The CSRF token of a signed-in caller's session.
pub fn csrf_of(state: &HttpState, who: &Principal) -> String {
    cookies::csrf_token(csrf_key(state), who.session_id())
}

/// Checks the session cookie (once per request) and, on anything but GET and HEAD, the CSRF token: the
/// session's for a signed-in caller, the double-submit cookie's on the sign-in forms. A request that
/// fails the check is refused with 403 before any handler runs.
pub async fn layer(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let secret = cookies::read(req.headers(), SESSION_COOKIE).filter(|s| !s.is_empty());
    let principal = match secret {
        Some(secret) => {
            match vendhub_app::auth::login::authenticate_panel_session(&state.app, &secret).await {
                Ok(p) => Some(p),
                Err(AppError::Unauthorized) => None,
                Err(e) => return WebError::from(e).into_response(),
            }
        }
        None => None,
    };
    let (mut parts, body) = req.into_parts();
    if let Some(p) = &principal {
        parts.extensions.insert(Verified(p.clone()));
    }
    let mut req = Request::from_parts(parts, body);
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let expected = match &principal {
            Some(p) => Some(csrf_of(&state, p)),
            None if is_sign_in_form(req.uri().path()) => cookies::read(req.headers(), LOGIN_CSRF_COOKIE),
            // Not signed in: the handler's extractor sends the person to the sign-in page.
            None => return next.run(req).await,
        };
        let limit = state.config.upload_limit.saturating_add(64 * 1024);
        let (submitted, rebuilt) = match super::csrf_token::submitted(req, limit).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        req = rebuilt;
        let ok = match (expected, submitted) {
            (Some(e), Some(s)) if !e.is_empty() => bool::from(e.as_bytes().ct_eq(s.as_bytes())),
            _ => false,
        };
        if !ok {
            return WebError::Csrf.into_response();
        }
    }
    next.run(req).await
}

fn is_sign_in_form(path: &str) -> bool {
    matches!(path, "/admin/login" | "/admin/login/2fa")
}

/// A signed-in person on a panel page, with what the layout needs.
pub struct Panel {
    pub who: Principal,
    pub page: PageCtx,
}

/// What every page's layout shows: texts in the person's language, who is signed in where, the
/// navigation their role allows, and the CSRF token for forms.
pub struct PageCtx {
    pub t: Tr,
    pub csrf: String,
    pub user_name: String,
    pub user_email: String,
    pub role: &'static str,
    pub org_name: String,
    pub org_id: String,
    /// Other organizations the person may switch to.
    pub orgs: Vec<(String, String)>,
    pub nav: Vec<NavItem>,
    /// The path of this page (for the active navigation item and the language links).
    pub path: String,
    permissions: &'static [Permission],
}

impl PageCtx {
    /// Whether the signed-in person's role holds a permission (templates show controls only then).
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn can_manage_fleet(&self) -> bool {
        self.can(Permission::FleetManage)
    }

    pub fn can_manage_tasks(&self) -> bool {
        self.can(Permission::TasksManage)
    }

    pub fn can_work_tasks(&self) -> bool {
        self.can(Permission::TasksWorkOwn)
    }

    pub fn can_manage_stock(&self) -> bool {
        self.can(Permission::StockManage)
    }

    pub fn can_manage_users(&self) -> bool {
        self.can(Permission::UsersManage)
    }

    pub fn can_manage_settings(&self) -> bool {
        self.can(Permission::SettingsManage)
    }

    pub fn can_review_collections(&self) -> bool {
        self.can(Permission::CollectionsReview)
    }

    pub fn can_collect_cash(&self) -> bool {
        self.can(Permission::CashCollect)
    }

    /// The signed-in person's role, in the page's language.
    pub fn role_label(&self) -> &str {
        self.t.t(&format!("roles.{}", self.role))
    }

    /// The URL of this page in another language.
    pub fn lang_url(&self, lang: &&Lang) -> String {
        format!("{}?lang={}", self.path, lang.code())
    }

    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }

    pub fn is_lang(&self, lang: &&Lang) -> bool {
        self.t.lang == **lang
    }
}

impl Panel {
    /// Refuses (403 page) unless the person's role holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), WebError> {
        self.who.require(permission).map_err(WebError::from)
    }
}

impl FromRequestParts<HttpState> for Panel {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, Self::Rejection> {
        let Some(Verified(who)) = parts.extensions.get::<Verified>().cloned() else {
            let next = parts.uri.path_and_query().map_or("/admin", |p| p.as_str());
            return Err(WebError::SignIn(next.to_owned()));
        };
        let app = &state.app;
        let (user, org, mine) = tokio::try_join!(
            vendhub_app::auth::login::me(app, &who),
            vendhub_app::organizations::current(app, &who),
            vendhub_app::organizations::mine(app, &who),
        )?;
        let query_lang = lang_of_query(parts.uri.query());
        let lang = i18n::negotiate(query_lang.as_deref(), &parts.headers, Some(&org.language));
        let permissions = who.role().permissions();
        let page = PageCtx {
            t: Tr::new(lang, &org.timezone),
            csrf: csrf_of(state, &who),
            user_name: user.full_name,
            user_email: user.email,
            role: who.role().as_str(),
            org_id: org.id.clone(),
            orgs: mine
                .into_iter()
                .filter(|o| o.id != org.id)
                .map(|o| (o.id, o.name))
                .collect(),
            org_name: org.name,
            nav: nav::for_role(permissions, parts.uri.path()),
            path: parts.uri.path().to_owned(),
            permissions,
        };
        Ok(Self { who, page })
    }
}

/// `?lang=` of a query string.
pub fn lang_of_query(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

/// The language of a page shown before sign-in (or of an error page): query, cookie, `Accept-Language`.
pub fn anonymous_tr(parts_headers: &axum::http::HeaderMap, query: Option<&str>) -> Tr {
    let lang = i18n::negotiate(lang_of_query(query).as_deref(), parts_headers, None);
    Tr::new(lang, "Asia/Tashkent")
}

/// Remembers `?lang=` in a cookie on every panel response of a request that carried one.
pub async fn remember_language(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let chosen = lang_of_query(req.uri().query()).and_then(|l| Lang::parse(&l));
    let mut res = next.run(req).await;
    if let Some(lang) = chosen
        && let Some(v) = cookies::cookie(
            i18n::LANG_COOKIE,
            lang.code(),
            state.config.secure_cookies,
            365 * 24 * 3600,
        )
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A redirect after a successful form post (303, so the browser GETs the next page); htmx follows
/// `HX-Redirect` instead.
pub fn see_other(to: &str) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(to) {
        res.headers_mut().insert("hx-redirect", v);
    }
    res
}

/// The name of the hidden form field carrying the CSRF token.
pub fn csrf_field() -> &'static str {
    CSRF_FIELD
}
