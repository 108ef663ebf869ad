//! The customer's pages, opened from a machine's QR code (`/app/m/{machine_number}?org=<slug>`): the
//! machine's menu, an order for one product, and the order's page (`/app/o/{order_id}`, also where the
//! payment providers send the customer back) with its pay links and its live status. Public and
//! account-free; phone-first; uz/ru/en. The same use cases as the public JSON routes (CONTRACT §6).
//!
//! Live status: `customer.js` opens Socket.IO with the handshake `auth: {"order_id": "…"}`, which admits
//! the page to that order's room only (`crate::realtime`), and rewrites the status when `order:status`
//! arrives; while Socket.IO is not connected it asks htmx to fetch the small status fragment
//! (`/app/o/{order_id}/status`) every few seconds instead.
//!
//! Inside Telegram this page is the bot's Mini App: `customer.js` marks the page `data-telegram` when
//! `window.Telegram.WebApp` is present; checking the Mini App's `initData` belongs to the bot.
//!
//! The order form carries no CSRF token: nobody is signed in here, so there is no ambient authority a
//! forged form could use (the panel's session cookie plays no part), and creating orders is limited per
//! client address and per machine.

use std::fmt::Write as _;

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::orders::{self, NewOrder, OrderStatusName, PublicOrder};

use super::Form;
use super::i18n::{Lang, Tr};
use super::session::{anonymous_tr, see_other};
use crate::HttpState;
use crate::extract::Meta;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/app/m/{number}", get(menu))
        .route("/app/m/{number}/order", post(order))
        .route("/app/o/{id}", get(order_page))
        .route("/app/o/{id}/status", get(status_fragment))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    org: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
struct Pick {
    slot: String,
    org: Option<String>,
    lang: Option<String>,
}

/// Every status an order shows its customer, with its label's catalog key.
const STATUSES: [(&str, &str); 9] = [
    ("created", "customer.status.created"),
    ("paid", "customer.status.paid"),
    ("dispensing", "customer.status.dispensing"),
    ("dispensed", "customer.status.dispensed"),
    ("failed", "customer.status.failed"),
    ("refund_pending", "customer.status.refund_pending"),
    ("refunded", "customer.status.refunded"),
    ("expired", "customer.status.expired"),
    ("cancelled", "customer.status.cancelled"),
];

pub fn status_code(s: OrderStatusName) -> &'static str {
    match s {
        OrderStatusName::Created => "created",
        OrderStatusName::Paid => "paid",
        OrderStatusName::Dispensing => "dispensing",
        OrderStatusName::Dispensed => "dispensed",
        OrderStatusName::Failed => "failed",
        OrderStatusName::RefundPending => "refund_pending",
        OrderStatusName::Refunded => "refunded",
        OrderStatusName::Expired => "expired",
        OrderStatusName::Cancelled => "cancelled",
    }
}

/// A status label and the sentence that explains it, in the page's language.
pub struct StatusText {
    pub code: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

fn status_texts(t: Tr) -> Vec<StatusText> {
    STATUSES
        .iter()
        .map(|&(code, key)| StatusText {
            code,
            label: t.t(key),
            hint: t.t(&format!("{key}_hint")),
        })
        .collect()
}

fn text_of(t: Tr, code: &str) -> StatusText {
    status_texts(t)
        .into_iter()
        .find(|s| s.code == code)
        .unwrap_or(StatusText {
            code: "cancelled",
            label: t.t("customer.status.cancelled"),
            hint: t.t("customer.status.cancelled_hint"),
        })
}

/// The page's language: `?lang=`, then the browser's, then the organization's.
fn tr(headers: &axum::http::HeaderMap, lang: Option<&str>, org_language: Option<&str>) -> Tr {
    let lang = super::i18n::negotiate(lang, headers, org_language);
    Tr::new(lang, "Asia/Tashkent")
}

struct Item {
    slot: String,
    name: String,
    price: String,
    available: bool,
}

#[derive(Template)]
#[template(path = "app/menu.html")]
struct MenuPage {
    t: Tr,
    number: String,
    machine: String,
    organization: String,
    org: String,
    items: Vec<Item>,
    takes_orders: bool,
    pays: bool,
    path: String,
}

#[derive(Template)]
#[template(path = "app/order.html")]
struct OrderPage {
    t: Tr,
    o: OrderBox,
    path: String,
}

#[derive(Template)]
#[template(path = "app/status.html")]
struct StatusFragment {
    t: Tr,
    o: OrderBox,
}

#[derive(Template)]
#[template(path = "app/error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    title: &'static str,
    detail: &'static str,
    back: Option<String>,
    path: String,
}

/// What the order page and its status fragment show.
struct OrderBox {
    id: String,
    amount: String,
    product: String,
    machine: String,
    number: String,
    status: StatusText,
    statuses: Vec<StatusText>,
    payme: Option<String>,
    click: Option<String>,
    uzum: Option<String>,
    uzum_service: Option<String>,
    open: bool,
    pay_until: String,
    uzum_howto: String,
}

impl OrderBox {
    fn new(t: Tr, o: PublicOrder) -> Self {
        let code = status_code(o.status);
        Self {
            pay_until: t.fill("customer.pay_until", &[("time", &t.datetime(&o.expires_at))]),
            uzum_howto: t.fill(
                "customer.uzum_app",
                &[
                    ("service", &o.pay.uzum_service_id.clone().unwrap_or_default()),
                    ("account", &o.id),
                ],
            ),
            amount: t.money(o.amount),
            product: o.product_name,
            machine: o.machine_name,
            number: o.machine_number,
            status: text_of(t, code),
            statuses: status_texts(t),
            open: code == "created",
            payme: o.pay.payme_url,
            click: o.pay.click_url,
            uzum: o.pay.uzum_url,
            uzum_service: o.pay.uzum_service_id,
            id: o.id,
        }
    }

    fn has_links(&self) -> bool {
        self.payme.is_some() || self.click.is_some() || self.uzum.is_some() || self.uzum_service.is_some()
    }
}

fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a customer page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page saying what went wrong, in the customer's words: sold out, too many orders, no such machine or
/// order, the machine offline.
fn error_page(t: Tr, e: &AppError, back: Option<String>, path: &str) -> Response {
    let (status, key) = match e {
        AppError::NotFound => (StatusCode::NOT_FOUND, "customer.error.not_found"),
        AppError::Conflict(m) if m.starts_with("sold out") => {
            (StatusCode::CONFLICT, "customer.error.sold_out")
        }
        AppError::Conflict(_) => (StatusCode::CONFLICT, "customer.error.offline"),
        AppError::RateLimited { .. } | AppError::Locked { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, "customer.error.too_many")
        }
        AppError::Validation(_) => (StatusCode::BAD_REQUEST, "customer.error.invalid"),
        AppError::Unavailable(m) => {
            tracing::warn!(error = %m, "a customer page could not be served");
            (StatusCode::SERVICE_UNAVAILABLE, "customer.error.unavailable")
        }
        other => {
            tracing::error!(error = %other, "a customer page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "customer.error.unavailable")
        }
    };
    render(
        status,
        &ErrorPage {
            t,
            status: status.as_u16(),
            title: t.t(key),
            detail: t.t(&format!("{key}_hint")),
            back,
            path: path.to_owned(),
        },
    )
}

fn menu_url(number: &str, org: Option<&str>, lang: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if let Some(o) = org {
        s.append_pair("org", o);
    }
    if let Some(l) = lang.and_then(Lang::parse) {
        s.append_pair("lang", l.code());
    }
    let q = s.finish();
    let path = format!("/app/m/{}", encode_path(number));
    if q.is_empty() { path } else { format!("{path}?{q}") }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

async fn menu(
    State(state): State<HttpState>,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = format!("/app/m/{}", encode_path(&number));
    let lang = q.lang.as_deref().and_then(Lang::parse).map(Lang::code);
    match orders::menu(&state.app, &number, q.org.as_deref(), lang).await {
        Ok(m) => {
            let t = tr(&headers, lang, Some(&m.machine.language));
            let takes_orders = matches!(m.machine.status.as_str(), "active" | "low_stock");
            render(
                StatusCode::OK,
                &MenuPage {
                    t,
                    number: m.machine.number,
                    machine: m.machine.name,
                    organization: m.machine.organization,
                    org: q.org.clone().unwrap_or_default(),
                    items: m
                        .items
                        .into_iter()
                        .map(|i| Item {
                            price: t.money(i.price),
                            slot: i.slot,
                            name: i.name,
                            available: i.available,
                        })
                        .collect(),
                    takes_orders,
                    pays: !m.providers.is_empty(),
                    path: menu_url(&number, q.org.as_deref(), None),
                },
            )
        }
        Err(e) => error_page(tr(&headers, lang, None), &e, None, &path),
    }
}

async fn order(
    State(state): State<HttpState>,
    headers: axum::http::HeaderMap,
    Meta(meta): Meta,
    Path(number): Path<String>,
    form: Result<Form<Pick>, super::WebError>,
) -> Response {
    let path = format!("/app/m/{}", encode_path(&number));
    let Ok(Form(pick)) = form else {
        let t = anonymous_tr(&headers, None);
        return error_page(t, &AppError::Validation(Vec::new()), Some(path.clone()), &path);
    };
    let org = pick.org.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let lang = pick.lang.as_deref().and_then(Lang::parse).map(Lang::code);
    let t = tr(&headers, lang, None);
    let chosen = NewOrder {
        slot: Some(pick.slot.clone()),
        product_id: None,
        language: Some(t.code().to_owned()),
    };
    match orders::create(&state.app, &number, org, chosen, meta.ip).await {
        Ok(o) => {
            let to = match lang {
                Some(l) => format!("/app/o/{}?lang={l}", o.id),
                None => format!("/app/o/{}", o.id),
            };
            see_other(&to)
        }
        Err(e) => error_page(t, &e, Some(menu_url(&number, org, lang)), &path),
    }
}

async fn load(
    state: &HttpState,
    headers: &axum::http::HeaderMap,
    id: &str,
    lang: Option<&str>,
) -> Result<(Tr, OrderBox), (Tr, AppError)> {
    let lang = lang.and_then(Lang::parse).map(Lang::code);
    let t = tr(headers, lang, None);
    if uuid::Uuid::parse_str(id).is_err() {
        return Err((t, AppError::NotFound));
    }
    match orders::public_get(&state.app, id).await {
        Ok(o) => Ok((t, OrderBox::new(t, o))),
        Err(e) => Err((t, e)),
    }
}

async fn order_page(
    State(state): State<HttpState>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = format!("/app/o/{}", encode_path(&id));
    match load(&state, &headers, &id, q.lang.as_deref()).await {
        Ok((t, o)) => render(StatusCode::OK, &OrderPage { t, o, path }),
        Err((t, e)) => error_page(t, &e, None, &path),
    }
}

async fn status_fragment(
    State(state): State<HttpState>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    match load(&state, &headers, &id, q.lang.as_deref()).await {
        Ok((t, o)) => render(StatusCode::OK, &StatusFragment { t, o }),
        Err((_, AppError::NotFound)) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
