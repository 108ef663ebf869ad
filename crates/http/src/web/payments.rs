//! Payments: `/admin/payments`, the organization's provider transactions (provider, state, times;
//! `FinanceRead`), and `/admin/payments/settings`, its own merchant accounts with Payme, Click and Uzum
//! Bank (`IntegrationsManage`): set, replace or remove, secrets sealed and shown masked, every change
//! audited, with the URLs to register with each provider.

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::paging::PageRequest;
use vendhub_app::payments::TxFilter;
use vendhub_app::payments::accounts::{self, AccountInput, AccountView};
use vendhub_domain::payments::Provider;
use vendhub_domain::roles::Permission;

use super::orders::{PROVIDERS, parse_day, provider_code, provider_label};
use super::pager::Pager;
use super::session::see_other;
use super::{Form, PageCtx, Panel, WebError, page};
use crate::HttpState;
use crate::extract::Meta;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/payments", get(list))
        .route("/admin/payments/settings", get(settings))
        .route("/admin/payments/settings/{provider}", post(save))
        .route("/admin/payments/settings/{provider}/delete", post(delete))
}

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A provider's own state of a transaction, in words (Payme keeps numbers).
pub fn state_key(provider: &str, state: &str) -> String {
    let s = match (provider, state) {
        ("payme", "1") | (_, "created") => "created",
        ("payme", "2") => "performed",
        ("payme", "-1") | (_, "cancelled") => "cancelled",
        ("payme", "-2") => "cancelled_after_perform",
        (_, "prepared") => "prepared",
        (_, "confirmed") => "confirmed",
        (_, "reversed") => "reversed",
        (_, "failed") => "failed",
        _ => "unknown",
    };
    format!("payments.state.{s}")
}

/// The states a provider's transactions can be in, as stored.
const STATES: [&str; 10] = [
    "1",
    "2",
    "-1",
    "-2",
    "prepared",
    "confirmed",
    "cancelled",
    "created",
    "reversed",
    "failed",
];

#[derive(Deserialize, Default)]
struct ListQuery {
    provider: Option<String>,
    state: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

struct Row {
    provider: &'static str,
    tx: String,
    order_id: String,
    amount: String,
    state: String,
    state_label: String,
    created: String,
    performed: String,
    cancelled: String,
}

#[derive(Template)]
#[template(path = "admin/payments/list.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    pager: Pager,
    total: i64,
    providers: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, bool)>,
    f_from: String,
    f_to: String,
    can_configure: bool,
}

async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    panel.require(Permission::FinanceRead)?;
    let Query(q) = q.map_err(|e| bad("query", &e.body_text()))?;
    let t = panel.page.t;
    let provider = given(q.provider.as_ref())
        .map(|p| {
            Provider::parse(p)
                .map(|p| p.as_str().to_owned())
                .ok_or_else(|| bad("provider", "must be payme, click or uzum"))
        })
        .transpose()?;
    let state_f = given(q.state.as_ref())
        .map(|s| {
            STATES
                .contains(&s)
                .then(|| s.to_owned())
                .ok_or_else(|| bad("state", "not a transaction state"))
        })
        .transpose()?;
    let from = parse_day("from", q.from.as_ref())?;
    let to = parse_day("to", q.to.as_ref())?;
    let filter = TxFilter {
        provider,
        state: state_f,
        order_id: None,
        from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    let paging = PageRequest::parse(q.page, Some(50))?;
    let paged = vendhub_app::payments::transactions(&state.app, &panel.who, filter, paging).await?;
    let rows = paged
        .data
        .into_iter()
        .map(|p| {
            let code = provider_code(p.provider);
            Row {
                provider: provider_label(code),
                state_label: t.t(&state_key(code, &p.state)).to_owned(),
                tx: p.provider_tx_id,
                order_id: p.order_id,
                amount: t.money(p.amount),
                state: p.state,
                created: t.datetime(&p.create_time),
                performed: t.maybe(p.perform_time.as_ref()),
                cancelled: t.maybe(p.cancel_time.as_ref()),
            }
        })
        .collect();
    let f = |v: Option<&String>| given(v).unwrap_or_default().to_owned();
    let (f_provider, f_state, f_from, f_to) = (
        f(q.provider.as_ref()),
        f(q.state.as_ref()),
        f(q.from.as_ref()),
        f(q.to.as_ref()),
    );
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("provider", &f_provider),
        ("state", &f_state),
        ("from", &f_from),
        ("to", &f_to),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let filters = s.finish();
    let filters = if filters.is_empty() {
        filters
    } else {
        format!("&{filters}")
    };
    page(&ListPage {
        rows,
        pager: Pager::new(&t, &paged.meta, "/admin/payments", &filters),
        total: paged.meta.total,
        providers: PROVIDERS
            .iter()
            .map(|p| (*p, provider_label(p), *p == f_provider))
            .collect(),
        states: STATES.iter().map(|s| (*s, *s == f_state)).collect(),
        f_from,
        f_to,
        can_configure: panel.page.can(Permission::IntegrationsManage),
        page: panel.page,
    })
}

/// One provider's section of the settings page.
struct Section {
    code: &'static str,
    name: &'static str,
    account: Option<AccountView>,
    urls: Vec<String>,
    /// Whether the installation has its own account with this provider (used when the organization has none).
    installation: bool,
    /// When the organization's account was last changed.
    updated: String,
}

impl Section {
    fn merchant_id(&self) -> &str {
        self.account.as_ref().map_or("", |a| a.merchant_id.as_str())
    }

    fn service_id(&self) -> &str {
        self.account
            .as_ref()
            .and_then(|a| a.service_id.as_deref())
            .unwrap_or("")
    }

    fn merchant_user_id(&self) -> &str {
        self.account
            .as_ref()
            .and_then(|a| a.merchant_user_id.as_deref())
            .unwrap_or("")
    }

    fn test_mode(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.test_mode)
    }

    fn has_test_key(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.test_secret.is_some())
    }
}

#[derive(Template)]
#[template(path = "admin/payments/settings.html")]
struct SettingsPage {
    page: PageCtx,
    sections: Vec<Section>,
    mask: &'static str,
}

async fn settings(State(state): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::IntegrationsManage)?;
    let app = &state.app;
    let t = panel.page.t;
    let (own, (_, urls)) = tokio::try_join!(
        accounts::list_own(app, &panel.who),
        accounts::own_webhooks(app, &panel.who),
    )?;
    let sections = urls
        .into_iter()
        .map(|(p, urls)| {
            let code = p.as_str();
            let account = own.iter().find(|a| provider_code(a.provider) == code).cloned();
            Section {
                updated: account
                    .as_ref()
                    .map_or_else(String::new, |a| t.datetime(&a.updated_at)),
                code,
                name: provider_label(code),
                account,
                urls,
                installation: app.settings().payments.installation(p).is_some(),
            }
        })
        .collect();
    page(&SettingsPage {
        sections,
        mask: accounts::MASK,
        page: panel.page,
    })
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    merchant_id: String,
    service_id: Option<String>,
    secret: Option<String>,
    test_secret: Option<String>,
    /// A checkbox: present when ticked.
    test_mode: Option<String>,
    merchant_user_id: Option<String>,
}

fn provider_of(raw: &str) -> Result<Provider, WebError> {
    Provider::parse(raw).ok_or(WebError::App(AppError::NotFound))
}

async fn save(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
    Form(f): Form<AccountForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::IntegrationsManage)?;
    let provider = provider_of(&raw)?;
    let input = AccountInput {
        merchant_id: f.merchant_id,
        service_id: f.service_id,
        secret: f.secret,
        test_secret: f.test_secret,
        test_mode: f.test_mode.is_some_and(|v| !v.is_empty()),
        merchant_user_id: f.merchant_user_id,
    };
    accounts::save_own(&state.app, &panel.who, provider, input, &meta).await?;
    Ok(see_other(&format!(
        "/admin/payments/settings#{}",
        provider.as_str()
    )))
}

async fn delete(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::IntegrationsManage)?;
    let provider = provider_of(&raw)?;
    accounts::delete_own(&state.app, &panel.who, provider, &meta).await?;
    Ok(see_other("/admin/payments/settings"))
}
