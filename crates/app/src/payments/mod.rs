//! Payment providers calling in (Payme, Click, Uzum): whose merchant account a call is for, the facts of
//! the order it names, what the provider's decision does to the order, and the log of every call with our
//! answer. The protocols themselves are pure functions in `vendhub_domain::payments`; the modules here run
//! each one in one database transaction.

pub mod accounts;
pub mod payme;

use chrono::NaiveDateTime;
use vendhub_domain::orders::{OrderFacts, OrderStatus};
use vendhub_domain::payments::Provider;
use vendhub_store::orders::OrderRow;
use vendhub_store::payments::{self as store, PaymentCallRow};
use vendhub_store::{DbConn, TenantScope};

pub use accounts::{Endpoint, MerchantAccount, PaymentSettings};

use crate::AppError;
use crate::ports::DomainEvent;

/// Unix milliseconds of a UTC time.
pub fn ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// The facts a provider's decision needs about `order`, read in the caller's transaction after the order's
/// row was locked. `excluding` is the provider transaction the call is about (it does not count as
/// another pending payment).
pub fn order_facts(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &OrderRow,
    excluding: Option<(Provider, &str)>,
    now: NaiveDateTime,
) -> Result<OrderFacts, AppError> {
    let status = OrderStatus::parse(&order.status)
        .ok_or_else(|| AppError::internal(format!("order {} has status {:?}", order.id, order.status)))?;
    let pending = store::for_order(c, scope, &order.id)?.into_iter().any(|t| {
        let this = excluding.is_some_and(|(p, id)| p.as_str() == t.provider && id == t.provider_tx_id);
        !this && is_pending(&t.provider, &t.state)
    });
    Ok(OrderFacts {
        amount: vendhub_domain::money::Tiyin::new(order.amount),
        status,
        expired: status == OrderStatus::Created && order.expires_at <= now,
        other_pending_payment: pending,
    })
}

/// Whether a stored provider transaction holds the order (started, not yet ended).
fn is_pending(provider: &str, state: &str) -> bool {
    match provider {
        "payme" => state == "1",
        "click" => state == "prepared",
        "uzum" => state == "created",
        _ => false,
    }
}

/// Whether `account` may answer for `order`: an organization's own account only for its own orders; the
/// installation's account only for orders of organizations that have no account of their own with that
/// provider. Anything else is answered as an unknown order.
pub fn may_serve(c: &mut DbConn, account: &MerchantAccount, order: &OrderRow) -> Result<bool, AppError> {
    match &account.owner {
        Some(org) => Ok(*org == order.organization_id),
        None => {
            let scope = order_scope(order)?;
            Ok(store::account(c, &scope, account.provider.as_str())?.is_none())
        }
    }
}

/// The scope of the organization that owns `order`. Only the webhook paths make it: they found the order
/// by its unguessable id and checked the merchant account that called may serve it.
pub fn order_scope(order: &OrderRow) -> Result<TenantScope, AppError> {
    order_scope_of(&order.organization_id)
}

/// The scope of an organization named by a row found across organizations (an order, a machine a QR page
/// names, a job's organization).
pub fn order_scope_of(organization_id: &str) -> Result<TenantScope, AppError> {
    let id = organization_id
        .parse()
        .map_err(|_| AppError::internal("order without a valid organization id"))?;
    #[allow(
        clippy::disallowed_methods,
        reason = "a provider's call authenticated by its merchant account, a customer's unguessable order id \
                  or a job about one organization's row: the row names the organization"
    )]
    Ok(TenantScope::authenticated(id))
}

/// Records a provider's call and our answer (in the caller's transaction, so it commits with the change it
/// made; a refused call is recorded in a transaction of its own).
#[allow(clippy::too_many_arguments, reason = "one row's fields, named at the call")]
pub fn record_call(
    c: &mut DbConn,
    provider: Provider,
    method: &str,
    organization_id: Option<&str>,
    order_id: Option<&str>,
    provider_tx_id: Option<&str>,
    request: &[u8],
    response: &str,
    http_status: u16,
    outcome: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    store::record_call(
        c,
        &PaymentCallRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: organization_id.map(str::to_owned),
            provider: provider.as_str().to_owned(),
            method: method.chars().take(64).collect(),
            order_id: order_id.map(|s| s.chars().take(64).collect()),
            provider_tx_id: provider_tx_id.map(|s| s.chars().take(128).collect()),
            request: String::from_utf8_lossy(&request[..request.len().min(64 * 1024)]).into_owned(),
            response: response.to_owned(),
            http_status: i64::from(http_status),
            outcome: outcome.chars().take(64).collect(),
            received_at: now,
        },
    )?;
    Ok(())
}

/// What a provider's decision does to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// The payment went through: the order is paid and its vend is queued.
    MarkPaid,
    /// A pending payment ended without money moving: the order may take another payment.
    Release,
    /// The provider returned the money: the refund is done.
    Refunded,
}

/// Applies `effect` to the locked `order` in the caller's transaction; the events to publish after commit.
pub fn apply(
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    provider: Provider,
    effect: Effect,
    settings: &PaymentSettings,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    match effect {
        Effect::None | Effect::Release => Ok(Vec::new()),
        Effect::MarkPaid => crate::orders::lifecycle::mark_paid(c, scope, order, provider, settings, now),
        Effect::Refunded => crate::orders::lifecycle::refunded(
            c,
            scope,
            order,
            &format!("{provider} returned the payment"),
            None,
            now,
        ),
    }
}
