//! Customer orders (DOMAIN.md "Sales, orders, cash"): the machine's menu on its QR page, an order for one
//! slot (its price then, one unit reserved, 15 minutes to pay), its pay links, its status for the customer,
//! and the operator's list, detail and refunds. Status changes are in [`lifecycle`]; the machine's side of
//! the vend in [`commands`].

pub mod commands;
pub mod lifecycle;
pub mod refunds;

use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use vendhub_domain::orders::{OrderStatus, expires_at};
use vendhub_domain::payments::Provider;
use vendhub_domain::roles::Permission;
use vendhub_domain::stock::{Holder, SlotCode};
use vendhub_store::machines::{self, MachineRow};
use vendhub_store::orders::{self as store, OrderFilter, OrderRow};
use vendhub_store::{TenantScope, machine_commands, organizations, planograms, products, stock};

use crate::auth::Principal;
use crate::events;
use crate::paging::{PageRequest, Paged};
use crate::payments::{self, MerchantAccount};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// At most this many unpaid orders per client address and machine at once.
pub const LIVE_ORDERS_PER_CLIENT: i64 = 2;
/// At most this many orders created per machine per minute (all clients).
pub const ORDERS_PER_MACHINE_PER_MINUTE: u64 = 20;
/// At most this many orders created per client address per minute (all machines).
pub const ORDERS_PER_CLIENT_PER_MINUTE: u64 = 10;

/// The machine a customer's page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMachine {
    pub id: String,
    pub number: String,
    pub name: String,
    /// The operator's name.
    pub organization: String,
    /// The operator's language (uz, ru, en), for the page's default.
    pub language: String,
    /// The machine's status: an order can be made only when it is `active` or `low_stock`.
    pub status: String,
}

/// One slot of the menu.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MenuItem {
    pub slot: String,
    pub product_id: String,
    /// In the customer's language.
    pub name: String,
    /// Tiyin.
    pub price: i64,
    /// Whether a unit can be ordered now (stock less open orders, machine online).
    pub available: bool,
}

/// The machine's menu (`GET /api/v1/public/machines/{machine_number}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Menu {
    pub machine: PublicMachine,
    pub items: Vec<MenuItem>,
    /// Providers the customer can pay with here.
    pub providers: Vec<ProviderName>,
}

/// A payment provider's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderName {
    Payme,
    Click,
    Uzum,
}

impl From<Provider> for ProviderName {
    fn from(p: Provider) -> Self {
        match p {
            Provider::Payme => Self::Payme,
            Provider::Click => Self::Click,
            Provider::Uzum => Self::Uzum,
        }
    }
}

/// Where the customer pays: a link per provider the organization has configured.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PayLinks {
    pub payme_url: Option<String>,
    pub click_url: Option<String>,
    pub uzum_url: Option<String>,
    /// Uzum Bank without a pay link: the service id the customer picks in the Uzum Bank app (the order id
    /// is the account to enter).
    pub uzum_service_id: Option<String>,
}

/// An order's status (`order:status`, the public JSON and the lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatusName {
    Created,
    Paid,
    Dispensing,
    Dispensed,
    Failed,
    RefundPending,
    Refunded,
    Expired,
    Cancelled,
}

impl From<OrderStatus> for OrderStatusName {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Created => Self::Created,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Dispensing => Self::Dispensing,
            OrderStatus::Dispensed => Self::Dispensed,
            OrderStatus::Failed => Self::Failed,
            OrderStatus::RefundPending => Self::RefundPending,
            OrderStatus::Refunded => Self::Refunded,
            OrderStatus::Expired => Self::Expired,
            OrderStatus::Cancelled => Self::Cancelled,
        }
    }
}

fn status_name(s: &str) -> OrderStatusName {
    OrderStatus::parse(s).map_or(OrderStatusName::Cancelled, Into::into)
}

/// An order as its customer sees it (`POST …/orders`, `GET /api/v1/public/orders/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicOrder {
    pub id: String,
    /// Tiyin.
    pub amount: i64,
    pub status: OrderStatusName,
    pub expires_at: DateTime<Utc>,
    pub slot: String,
    pub product_id: String,
    pub product_name: String,
    pub machine_number: String,
    pub machine_name: String,
    pub provider: Option<ProviderName>,
    pub pay: PayLinks,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub dispensed_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
}

/// What the customer picks: a slot, or a product (the first slot that has it).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub slot: Option<String>,
    pub product_id: Option<String>,
    /// The customer's language (uz, ru, en) for the provider's page.
    pub language: Option<String>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn provider_name(p: Option<&str>) -> Option<ProviderName> {
    p.and_then(Provider::parse).map(Into::into)
}

fn product_name(p: &products::ProductRow, lang: &str) -> String {
    let name = match lang {
        "ru" => &p.name_ru,
        "en" => &p.name_en,
        _ => &p.name_uz,
    };
    if name.is_empty() {
        p.name_uz.clone()
    } else {
        name.clone()
    }
}

fn language(lang: Option<&str>, fallback: &str) -> String {
    match lang {
        Some(l @ ("uz" | "ru" | "en")) => l.to_owned(),
        _ => fallback.to_owned(),
    }
}

/// The machine a QR page names: by its number, within `org` (an organization slug) when given. A number
/// that two organizations use needs the slug (the QR code carries it); without it the page is not found.
fn find_machine(
    c: &mut vendhub_store::DbConn,
    number: &str,
    org: Option<&str>,
) -> Result<(MachineRow, organizations::OrganizationRow, TenantScope), AppError> {
    let mut found = machines::find_by_number_any(c, number)?;
    let org_row = match org {
        Some(slug) => {
            let o = organizations::find_by_slug(c, slug)?.ok_or(AppError::NotFound)?;
            found.retain(|m| m.organization_id == o.id);
            Some(o)
        }
        None => None,
    };
    if found.len() != 1 {
        return Err(AppError::NotFound);
    }
    let machine = found.remove(0);
    let scope = payments::order_scope_of(&machine.organization_id)?;
    let org_row = match org_row {
        Some(o) => o,
        None => organizations::get(c, &scope)?.ok_or(AppError::NotFound)?,
    };
    Ok((machine, org_row, scope))
}

fn public_machine(m: &MachineRow, org: &organizations::OrganizationRow) -> PublicMachine {
    PublicMachine {
        id: m.id.clone(),
        number: m.number.clone(),
        name: m.name.clone(),
        organization: org.name.clone(),
        language: org.language.clone(),
        status: m.status.clone(),
    }
}

/// Whether the machine can take orders now: in service and heard from (not offline, in error, under
/// maintenance or disabled).
fn machine_takes_orders(m: &MachineRow) -> bool {
    matches!(m.status.as_str(), "active" | "low_stock")
}

/// Units of each slot that can be ordered: the ledger's balance less open orders.
fn available_units(
    c: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    machine: &MachineRow,
    slot: &planograms::SlotRow,
    reserved: i64,
) -> Result<i64, AppError> {
    let holder = Holder::Slot {
        machine: machine.id.parse().map_err(|_| AppError::internal("machine id"))?,
        slot: SlotCode::parse(&slot.code).map_err(|e| AppError::internal(e.to_string()))?,
    };
    let balance = stock::balance_of(c, scope, &holder.to_string(), &slot.product_id)?;
    Ok(balance - reserved)
}

fn configured_providers(
    app: &App,
    c: &mut vendhub_store::DbConn,
    scope: &TenantScope,
) -> Result<Vec<MerchantAccount>, AppError> {
    let mut out = Vec::new();
    for p in Provider::ALL {
        if let Some(a) = payments::accounts::for_organization(app, c, scope, p)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// The machine's menu for its QR page.
pub async fn menu(app: &App, number: &str, org: Option<&str>, lang: Option<&str>) -> Result<Menu, AppError> {
    let (number, org, lang) = (number.to_owned(), org.map(str::to_owned), lang.map(str::to_owned));
    let app2 = app.clone();
    let now = app.now();
    app.read(move |c| {
        let (machine, org_row, scope) = find_machine(c, &number, org.as_deref())?;
        let lang = language(lang.as_deref(), &org_row.language);
        let slots = planograms::of_machine(c, &scope, &machine.id)?;
        let reserved = store::reserved_per_slot(c, &scope, &machine.id, now)?;
        let mut items = Vec::new();
        for slot in &slots {
            let Some(product) = products::get(c, &scope, &slot.product_id)? else {
                continue;
            };
            let price = slot.price.unwrap_or(product.price);
            let held = reserved.get(&slot.code).copied().unwrap_or(0);
            let units = available_units(c, &scope, &machine, slot, held)?;
            items.push(MenuItem {
                slot: slot.code.clone(),
                product_id: product.id.clone(),
                name: product_name(&product, &lang),
                price,
                available: units > 0 && price > 0 && machine_takes_orders(&machine),
            });
        }
        let providers = configured_providers(&app2, c, &scope)?
            .into_iter()
            .map(|a| a.provider.into())
            .collect();
        Ok(Menu {
            machine: public_machine(&machine, &org_row),
            items,
            providers,
        })
    })
    .await
}

/// Checks the per-client and per-machine creation limits (shared by replicas through the cache).
async fn rate_limit(app: &App, machine_id: &str, client: Option<&str>) -> Result<(), AppError> {
    let window = Duration::from_secs(60);
    let over = |n: u64, limit: u64, reset: Duration| {
        (n > limit).then(|| AppError::RateLimited {
            retry_after_secs: reset.as_secs().max(1),
        })
    };
    let (n, reset) = app
        .cache()
        .incr(&format!("orders:machine:{machine_id}"), window)
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    if let Some(e) = over(n, ORDERS_PER_MACHINE_PER_MINUTE, reset) {
        return Err(e);
    }
    if let Some(addr) = client {
        let (n, reset) = app
            .cache()
            .incr(&format!("orders:client:{addr}"), window)
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        if let Some(e) = over(n, ORDERS_PER_CLIENT_PER_MINUTE, reset) {
            return Err(e);
        }
    }
    Ok(())
}

/// A customer's order for one slot of the machine: the slot's price now, one unit reserved, 15 minutes to
/// pay. Refused when the slot has nothing left to order (409), the machine is not online (409), or the
/// client holds too many unpaid orders here already (429).
pub async fn create(
    app: &App,
    number: &str,
    org: Option<&str>,
    pick: NewOrder,
    client_addr: Option<String>,
) -> Result<PublicOrder, AppError> {
    if pick.slot.is_none() == pick.product_id.is_none() {
        return Err(AppError::Validation(vec![crate::error::FieldError::new(
            "slot",
            "name either a slot or a product_id",
        )]));
    }
    let (number_s, org_s) = (number.to_owned(), org.map(str::to_owned));
    let machine_id: String = app
        .read(move |c| find_machine(c, &number_s, org_s.as_deref()).map(|(m, _, _)| m.id))
        .await?;
    rate_limit(app, &machine_id, client_addr.as_deref()).await?;
    let (number, org) = (number.to_owned(), org.map(str::to_owned));
    let now = app.now();
    let app2 = app.clone();
    let (order, machine, links) = app
        .write(move |c| {
            let (machine, org_row, scope) = find_machine(c, &number, org.as_deref())?;
            if !machine_takes_orders(&machine) {
                return Err(AppError::Conflict(format!(
                    "machine {} is {} and cannot take orders now",
                    machine.number, machine.status
                )));
            }
            if let Some(addr) = &client_addr {
                let live = store::live_of_client(c, &scope, &machine.id, addr, now)?;
                if live >= LIVE_ORDERS_PER_CLIENT {
                    return Err(AppError::RateLimited { retry_after_secs: 60 });
                }
            }
            let lang = language(pick.language.as_deref(), &org_row.language);
            let slots = planograms::of_machine(c, &scope, &machine.id)?;
            let reserved = store::reserved_per_slot(c, &scope, &machine.id, now)?;
            let candidates: Vec<&planograms::SlotRow> = slots
                .iter()
                .filter(|s| match (&pick.slot, &pick.product_id) {
                    (Some(code), _) => &s.code == code,
                    (None, Some(p)) => &s.product_id == p,
                    (None, None) => false,
                })
                .collect();
            if candidates.is_empty() {
                return Err(AppError::Validation(vec![crate::error::FieldError::new(
                    if pick.slot.is_some() { "slot" } else { "product_id" },
                    "this machine has no such slot or product",
                )]));
            }
            let mut chosen = None;
            for slot in candidates {
                let held = reserved.get(&slot.code).copied().unwrap_or(0);
                let Some(product) = products::get(c, &scope, &slot.product_id)? else {
                    continue;
                };
                let price = slot.price.unwrap_or(product.price);
                if price > 0 && available_units(c, &scope, &machine, slot, held)? > 0 {
                    chosen = Some((slot.clone(), product, price));
                    break;
                }
            }
            let (slot, product, price) = chosen
                .ok_or_else(|| AppError::Conflict("sold out: nothing left to order in this slot".into()))?;
            let row = OrderRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: machine.organization_id.clone(),
                machine_id: machine.id.clone(),
                slot_code: slot.code.clone(),
                product_id: product.id.clone(),
                product_name: product_name(&product, &lang),
                amount: price,
                status: OrderStatus::Created.as_str().into(),
                provider: None,
                client_addr,
                language: Some(lang),
                expires_at: expires_at(utc(now)).naive_utc(),
                paid_at: None,
                dispensed_at: None,
                refunded_at: None,
                sale_id: None,
                reason: None,
                refund_requested_by: None,
                created_at: now,
                updated_at: now,
            };
            store::insert(c, &scope, &row)?;
            let accounts = configured_providers(&app2, c, &scope)?;
            let links = pay_links(app2.settings(), &accounts, &row);
            Ok((row, machine, links))
        })
        .await?;
    metrics::counter!("vendhub_orders_created_total").increment(1);
    let event = DomainEvent::new(
        crate::events::ORDER_CREATED,
        &order.organization_id,
        Some(&order.machine_id),
        serde_json::json!({ "order_id": order.id, "total": order.amount, "amount": order.amount,
            "status": order.status, "slot": order.slot_code, "product_id": order.product_id }),
    );
    events::publish(app, &event).await;
    Ok(public_view(&order, &machine, links))
}

fn public_view(o: &OrderRow, m: &MachineRow, pay: PayLinks) -> PublicOrder {
    PublicOrder {
        id: o.id.clone(),
        amount: o.amount,
        status: status_name(&o.status),
        expires_at: utc(o.expires_at),
        slot: o.slot_code.clone(),
        product_id: o.product_id.clone(),
        product_name: o.product_name.clone(),
        machine_number: m.number.clone(),
        machine_name: m.name.clone(),
        provider: provider_name(o.provider.as_deref()),
        pay,
        created_at: utc(o.created_at),
        paid_at: o.paid_at.map(utc),
        dispensed_at: o.dispensed_at.map(utc),
        refunded_at: o.refunded_at.map(utc),
    }
}

/// The links a customer pays an order with (PROTOCOLS §1.7 and §2.6), for each configured provider; none
/// once the order can no longer be paid.
pub fn pay_links(settings: &crate::state::Settings, accounts: &[MerchantAccount], o: &OrderRow) -> PayLinks {
    let mut links = PayLinks::default();
    if o.status != OrderStatus::Created.as_str() {
        return links;
    }
    let p = &settings.payments;
    let back = format!("{}/app/o/{}", p.public_url.trim_end_matches('/'), o.id);
    let enc =
        |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    for a in accounts {
        match a.provider {
            Provider::Payme => {
                let lang = o.language.as_deref().unwrap_or("uz");
                let params = format!(
                    "m={};ac.order_id={};a={};c={};l={lang}",
                    a.merchant_id, o.id, o.amount, back
                );
                let base = if a.test_mode {
                    &p.payme_test_checkout_url
                } else {
                    &p.payme_checkout_url
                };
                links.payme_url = Some(format!(
                    "{}/{}",
                    base.trim_end_matches('/'),
                    base64::engine::general_purpose::STANDARD.encode(params)
                ));
            }
            Provider::Click => {
                let som = vendhub_domain::money::Tiyin::new(o.amount).get();
                let amount = format!("{}.{:02}", som / 100, som % 100);
                links.click_url = Some(format!(
                    "{}?service_id={}&merchant_id={}&amount={}&transaction_param={}&return_url={}",
                    p.click_pay_url,
                    enc(a.service_id.as_deref().unwrap_or_default()),
                    enc(&a.merchant_id),
                    amount,
                    enc(&o.id),
                    enc(&back)
                ));
            }
            Provider::Uzum => match &p.uzum_pay_url {
                Some(t) => {
                    links.uzum_url = Some(
                        t.replace("{service_id}", &enc(a.service_id.as_deref().unwrap_or_default()))
                            .replace("{order_id}", &enc(&o.id))
                            .replace("{amount}", &o.amount.to_string()),
                    );
                }
                None => links.uzum_service_id.clone_from(&a.service_id),
            },
        }
    }
    links
}

/// An order as its customer sees it; any order id (unguessable) can be looked at, as the provider's return
/// page needs.
pub async fn public_get(app: &App, id: &str) -> Result<PublicOrder, AppError> {
    let id = id.to_owned();
    let app2 = app.clone();
    app.read(move |c| {
        let o = store::find_any(c, &id)?.ok_or(AppError::NotFound)?;
        let scope = payments::order_scope(&o)?;
        let m = machines::get(c, &scope, &o.machine_id)?.ok_or(AppError::NotFound)?;
        let accounts = configured_providers(&app2, c, &scope)?;
        let links = pay_links(app2.settings(), &accounts, &o);
        Ok(public_view(&o, &m, links))
    })
    .await
}

/// An order as the operator sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: String,
    pub machine_id: String,
    pub slot: String,
    pub product_id: String,
    pub product_name: String,
    /// Tiyin.
    pub amount: i64,
    pub status: OrderStatusName,
    pub provider: Option<ProviderName>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub dispensed_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub sale_id: Option<String>,
    /// Why the vend failed or the order was refunded.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub fn view(o: &OrderRow) -> OrderView {
    OrderView {
        id: o.id.clone(),
        machine_id: o.machine_id.clone(),
        slot: o.slot_code.clone(),
        product_id: o.product_id.clone(),
        product_name: o.product_name.clone(),
        amount: o.amount,
        status: status_name(&o.status),
        provider: provider_name(o.provider.as_deref()),
        expires_at: utc(o.expires_at),
        paid_at: o.paid_at.map(utc),
        dispensed_at: o.dispensed_at.map(utc),
        refunded_at: o.refunded_at.map(utc),
        sale_id: o.sale_id.clone(),
        reason: o.reason.clone(),
        created_at: utc(o.created_at),
    }
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    pub machine_id: Option<String>,
    pub status: Option<OrderStatusName>,
    pub provider: Option<ProviderName>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

fn status_text(s: OrderStatusName) -> &'static str {
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

fn provider_text(p: ProviderName) -> &'static str {
    match p {
        ProviderName::Payme => "payme",
        ProviderName::Click => "click",
        ProviderName::Uzum => "uzum",
    }
}

/// The organization's orders, newest first. Readable by every staff role that sees sales.
pub async fn list(
    app: &App,
    who: &Principal,
    q: OrderQuery,
    page: PageRequest,
) -> Result<Paged<OrderView>, AppError> {
    who.require(Permission::FinanceRead)?;
    let scope = who.scope().clone();
    app.read(move |c| {
        let f = OrderFilter {
            machine_id: q.machine_id,
            status: q.status.map(|s| status_text(s).to_owned()),
            provider: q.provider.map(|p| provider_text(p).to_owned()),
            from: q.from,
            to: q.to,
        };
        let (rows, total) = store::list(c, &scope, &f, page.offset(), page.limit())?;
        Ok(Paged::new(rows.iter().map(view).collect(), page, total))
    })
    .await
}

/// A provider's call about an order, with our answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderCall {
    pub provider: ProviderName,
    pub method: String,
    pub provider_tx_id: Option<String>,
    pub request: String,
    pub response: String,
    pub http_status: i64,
    /// `ok`, or the provider's error code.
    pub outcome: String,
    pub received_at: DateTime<Utc>,
}

/// A provider's transaction for an order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub order_id: String,
    pub provider: ProviderName,
    pub provider_tx_id: String,
    /// The provider's own state: Payme `1`, `2`, `-1`, `-2`; Click `prepared`, `confirmed`, `cancelled`;
    /// Uzum `created`, `confirmed`, `reversed`, `failed`.
    pub state: String,
    /// Tiyin.
    pub amount: i64,
    pub create_time: DateTime<Utc>,
    pub perform_time: Option<DateTime<Utc>>,
    pub cancel_time: Option<DateTime<Utc>>,
    /// Payme's cancel reason.
    pub reason: Option<i64>,
    /// A receipt the provider fiscalised (Payme `SetFiscalData`).
    #[schema(value_type = Option<Object>)]
    pub fiscal_data: Option<serde_json::Value>,
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub fn payment_view(t: &vendhub_store::payments::PaymentTxRow) -> PaymentView {
    PaymentView {
        id: t.id.clone(),
        order_id: t.order_id.clone(),
        provider: Provider::parse(&t.provider).map_or(ProviderName::Payme, Into::into),
        provider_tx_id: t.provider_tx_id.clone(),
        state: t.state.clone(),
        amount: t.amount,
        create_time: from_ms(t.create_time),
        perform_time: t.perform_time.filter(|v| *v > 0).map(from_ms),
        cancel_time: t.cancel_time.filter(|v| *v > 0).map(from_ms),
        reason: t.reason,
        fiscal_data: t
            .fiscal_data
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok()),
    }
}

/// Everything about one order: the order, its provider transactions, every provider call and the vend
/// command.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    pub order: OrderView,
    pub payments: Vec<PaymentView>,
    pub calls: Vec<ProviderCall>,
    pub command: Option<CommandView>,
}

/// The vend command of an order, as the operator sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommandView {
    pub id: String,
    pub status: commands::CommandState,
    pub reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub result_at: Option<DateTime<Utc>>,
}

pub async fn detail(app: &App, who: &Principal, id: &str) -> Result<OrderDetail, AppError> {
    who.require(Permission::FinanceRead)?;
    let scope = who.scope().clone();
    let id = id.to_owned();
    app.read(move |c| {
        let o = store::get(c, &scope, &id)?.ok_or(AppError::NotFound)?;
        let payments = vendhub_store::payments::for_order(c, &scope, &id)?;
        let calls = vendhub_store::payments::calls_for_order(c, &scope, &id)?;
        let command = machine_commands::for_order(c, &scope, &id)?;
        Ok(OrderDetail {
            order: view(&o),
            payments: payments.iter().map(payment_view).collect(),
            calls: calls
                .into_iter()
                .map(|k| ProviderCall {
                    provider: Provider::parse(&k.provider).map_or(ProviderName::Payme, Into::into),
                    method: k.method,
                    provider_tx_id: k.provider_tx_id,
                    request: k.request,
                    response: k.response,
                    http_status: k.http_status,
                    outcome: k.outcome,
                    received_at: utc(k.received_at),
                })
                .collect(),
            command: command.map(|k| CommandView {
                status: commands::CommandState::parse(&k.status),
                id: k.id,
                reason: k.reason,
                expires_at: utc(k.expires_at),
                sent_at: k.sent_at.map(utc),
                result_at: k.result_at.map(utc),
            }),
        })
    })
    .await
}

/// Created orders past their 15 minutes become `expired` (their units are free again). Across
/// organizations: each order is changed in its own organization's scope. The number expired.
pub async fn expire_due(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let due = app.read(move |c| Ok(store::expired_ids(c, now, 500)?)).await?;
    let mut n = 0;
    for (org, id) in due {
        let scope = payments::order_scope_of(&org)?;
        let events = app
            .write(move |c| {
                let Some(mut o) = store::lock(c, &scope, &id)? else {
                    return Ok(Vec::new());
                };
                if o.status != "created" || o.expires_at > now {
                    return Ok(Vec::new());
                }
                lifecycle::expire(c, &scope, &mut o, now)
            })
            .await?;
        n += usize::from(!events.is_empty());
        for e in &events {
            events::publish(app, e).await;
        }
    }
    Ok(n)
}

/// Publishes events made inside a committed transaction.
pub async fn publish_all(app: &App, list: &[DomainEvent]) {
    for e in list {
        events::publish(app, e).await;
    }
}
