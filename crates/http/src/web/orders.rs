//! Customer orders: `/admin/orders` (filters by status, provider, machine and dates; a paged list), an
//! order's page with every provider call we received and answered, its payments and its vend command,
//! and the accountant's refund actions. The same use cases as `/api/v1/orders` (`FinanceRead` to see,
//! `FinanceManage` to refund).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_app::error::FieldError;
use vendhub_app::machines::MachineQuery;
use vendhub_app::orders::{self, OrderQuery, OrderStatusName, ProviderName};
use vendhub_app::paging::PageRequest;
use vendhub_domain::roles::Permission;

use super::customer::status_code;
use super::i18n::Tr;
use super::pager::Pager;
use super::session::see_other;
use super::{Form, PageCtx, Panel, WebError, page};
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/orders", get(list))
        .route("/admin/orders/{id}", get(detail))
        .route("/admin/orders/{id}/refund", post(refund))
        .route("/admin/orders/{id}/refunded", post(record_refund))
}

/// The statuses an order can have, in the order they happen.
pub const STATUSES: [&str; 9] = [
    "created",
    "paid",
    "dispensing",
    "dispensed",
    "failed",
    "refund_pending",
    "refunded",
    "expired",
    "cancelled",
];
pub const PROVIDERS: [&str; 3] = ["payme", "click", "uzum"];

fn bad(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(field, message)])
}

fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

pub fn parse_status(s: &str) -> Option<OrderStatusName> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub fn parse_provider(s: &str) -> Option<ProviderName> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub fn provider_code(p: ProviderName) -> &'static str {
    match p {
        ProviderName::Payme => "payme",
        ProviderName::Click => "click",
        ProviderName::Uzum => "uzum",
    }
}

/// `YYYY-MM-DD`, or a 400 naming the field.
pub fn parse_day(field: &str, v: Option<&String>) -> Result<Option<NaiveDate>, AppError> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad(field, "expected a date (YYYY-MM-DD)"))
        })
        .transpose()
}

/// The organization's machines by id (`number · name`), and as choices.
pub async fn machine_names(
    app: &vendhub_app::App,
    who: &Principal,
) -> Result<(HashMap<String, String>, Vec<(String, String)>), AppError> {
    let page = PageRequest::parse(Some(1), Some(i64::from(PageRequest::MAX_LIMIT)))?;
    let machines = vendhub_app::machines::list(app, who, MachineQuery::default(), page).await?;
    let mut by_id = HashMap::new();
    let mut choices = Vec::new();
    for m in machines.data {
        let label = format!("{} · {}", m.number, m.name);
        choices.push((m.id.clone(), label.clone()));
        by_id.insert(m.id, label);
    }
    Ok((by_id, choices))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    provider: Option<String>,
    machine_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

struct Row {
    id: String,
    at: String,
    machine: String,
    product: String,
    amount: String,
    status: &'static str,
    status_label: &'static str,
    provider: String,
}

#[derive(Template)]
#[template(path = "admin/orders/list.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    pager: Pager,
    total: i64,
    machines: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    providers: Vec<(&'static str, &'static str, bool)>,
    f_machine: String,
    f_from: String,
    f_to: String,
}

fn status_label(t: Tr, code: &str) -> &'static str {
    t.t(&format!("orders.status.{code}"))
}

async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    panel.require(Permission::FinanceRead)?;
    let Query(q) = q.map_err(|e| bad("query", &e.body_text()))?;
    let t = panel.page.t;
    let status = given(q.status.as_ref())
        .map(|s| parse_status(s).ok_or_else(|| bad("status", "not an order status")))
        .transpose()?;
    let provider = given(q.provider.as_ref())
        .map(|s| parse_provider(s).ok_or_else(|| bad("provider", "must be payme, click or uzum")))
        .transpose()?;
    let from = parse_day("from", q.from.as_ref())?;
    let to = parse_day("to", q.to.as_ref())?;
    let filter = OrderQuery {
        machine_id: given(q.machine_id.as_ref()).map(str::to_owned),
        status,
        provider,
        from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    let paging = PageRequest::parse(q.page, Some(50))?;
    let app = &state.app;
    let (paged, (names, machines)) = tokio::try_join!(
        orders::list(app, &panel.who, filter, paging),
        machine_names(app, &panel.who),
    )?;
    let rows = paged
        .data
        .into_iter()
        .map(|o| {
            let code = status_code(o.status);
            Row {
                at: t.datetime(&o.created_at),
                machine: names
                    .get(&o.machine_id)
                    .cloned()
                    .unwrap_or_else(|| o.machine_id.clone()),
                product: format!("{} · {}", o.slot, o.product_name),
                amount: t.money(o.amount),
                status: code,
                status_label: status_label(t, code),
                provider: o
                    .provider
                    .map(provider_code)
                    .map(provider_label)
                    .unwrap_or_default()
                    .to_owned(),
                id: o.id,
            }
        })
        .collect();
    let f = |v: Option<&String>| given(v).unwrap_or_default().to_owned();
    let (f_status, f_provider, f_machine, f_from, f_to) = (
        f(q.status.as_ref()),
        f(q.provider.as_ref()),
        f(q.machine_id.as_ref()),
        f(q.from.as_ref()),
        f(q.to.as_ref()),
    );
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", &f_status),
        ("provider", &f_provider),
        ("machine_id", &f_machine),
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
        pager: Pager::new(&t, &paged.meta, "/admin/orders", &filters),
        total: paged.meta.total,
        machines,
        statuses: STATUSES
            .iter()
            .map(|s| (*s, status_label(t, s), *s == f_status))
            .collect(),
        providers: PROVIDERS
            .iter()
            .map(|p| (*p, provider_label(p), *p == f_provider))
            .collect(),
        f_machine,
        f_from,
        f_to,
        page: panel.page,
    })
}

/// A provider's display name.
pub fn provider_label(code: &str) -> &'static str {
    match code {
        "payme" => "Payme",
        "click" => "Click",
        "uzum" => "Uzum Bank",
        _ => "—",
    }
}

struct Call {
    at: String,
    provider: &'static str,
    method: String,
    tx: String,
    http_status: i64,
    outcome: String,
    ok: bool,
    request: String,
    response: String,
}

struct Payment {
    provider: &'static str,
    tx: String,
    state: String,
    amount: String,
    created: String,
    performed: String,
    cancelled: String,
    reason: String,
}

struct Command {
    status: String,
    reason: String,
    expires: String,
    sent: String,
    result: String,
}

#[derive(Template)]
#[template(path = "admin/orders/detail.html")]
struct DetailPage {
    page: PageCtx,
    id: String,
    machine: String,
    product: String,
    amount: String,
    status: &'static str,
    status_label: &'static str,
    provider: &'static str,
    created: String,
    expires: String,
    paid: String,
    dispensed: String,
    refunded: String,
    reason: String,
    sale_id: String,
    calls: Vec<Call>,
    payments: Vec<Payment>,
    command: Option<Command>,
    can_refund: bool,
    can_record: bool,
}

/// JSON shown indented when it is JSON, as received otherwise.
fn pretty(s: &str) -> String {
    serde_json::from_str::<serde_json::Value>(s)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| s.to_owned())
}

async fn detail(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FinanceRead)?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound.into());
    }
    let app = &state.app;
    let t = panel.page.t;
    let (d, (names, _)) = tokio::try_join!(
        orders::detail(app, &panel.who, &id),
        machine_names(app, &panel.who),
    )?;
    let o = d.order;
    let code = status_code(o.status);
    let manage = panel.page.can(Permission::FinanceManage);
    page(&DetailPage {
        machine: names
            .get(&o.machine_id)
            .cloned()
            .unwrap_or_else(|| o.machine_id.clone()),
        product: format!("{} · {}", o.slot, o.product_name),
        amount: t.money(o.amount),
        status: code,
        status_label: status_label(t, code),
        provider: provider_label(o.provider.map(provider_code).unwrap_or_default()),
        created: t.datetime(&o.created_at),
        expires: t.datetime(&o.expires_at),
        paid: t.maybe(o.paid_at.as_ref()),
        dispensed: t.maybe(o.dispensed_at.as_ref()),
        refunded: t.maybe(o.refunded_at.as_ref()),
        reason: o.reason.unwrap_or_default(),
        sale_id: o.sale_id.unwrap_or_default(),
        calls: d
            .calls
            .into_iter()
            .map(|c| Call {
                at: t.datetime(&c.received_at),
                provider: provider_label(provider_code(c.provider)),
                method: c.method,
                tx: c.provider_tx_id.unwrap_or_default(),
                http_status: c.http_status,
                ok: c.outcome == "ok",
                outcome: c.outcome,
                request: pretty(&c.request),
                response: pretty(&c.response),
            })
            .collect(),
        payments: d
            .payments
            .into_iter()
            .map(|p| Payment {
                provider: provider_label(provider_code(p.provider)),
                tx: p.provider_tx_id,
                state: p.state,
                amount: t.money(p.amount),
                created: t.datetime(&p.create_time),
                performed: t.maybe(p.perform_time.as_ref()),
                cancelled: t.maybe(p.cancel_time.as_ref()),
                reason: p.reason.map(|r| r.to_string()).unwrap_or_default(),
            })
            .collect(),
        command: d.command.map(|c| Command {
            status: serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            reason: c.reason.unwrap_or_default(),
            expires: t.datetime(&c.expires_at),
            sent: t.maybe(c.sent_at.as_ref()),
            result: t.maybe(c.result_at.as_ref()),
        }),
        can_refund: manage && matches!(code, "paid" | "failed" | "dispensed"),
        can_record: manage && code == "refund_pending",
        id: o.id,
        page: panel.page,
    })
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

/// An accountant starts a refund (reason required).
async fn refund(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FinanceManage)?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound.into());
    }
    orders::refunds::request(&state.app, &panel.who, &id, &f.reason).await?;
    Ok(see_other(&format!("/admin/orders/{id}")))
}

/// An accountant records a refund done in the provider's cabinet.
async fn record_refund(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FinanceManage)?;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound.into());
    }
    orders::refunds::record(&state.app, &panel.who, &id, &f.note).await?;
    Ok(see_other(&format!("/admin/orders/{id}")))
}
