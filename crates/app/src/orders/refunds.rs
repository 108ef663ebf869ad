//! Refunds an accountant starts or records from the admin panel or the API (DOMAIN.md "Payments"): a paid,
//! failed or dispensed order can be refunded with a reason; where the provider offers no call for it, the
//! accountant records the refund once it is done in the provider's cabinet. Every step is audited.
//!
//! The refund job (`orders.refund`, [`through_provider`]) asks the order's provider for the money back
//! where the provider has a call for it: Click's Merchant API payment reversal; Payme's Subscribe API
//! `receipts.cancel` only with `PAYME_RECEIPT_CANCEL=true` (PROTOCOLS.md §1.7: unconfirmed flow); Uzum Bank
//! has none (its Merchant API is webhooks only, PROTOCOLS.md §3), so an Uzum order waits for Uzum's own
//! reverse or for the accountant, as does a Payme order without the setting (Payme's `CancelTransaction`
//! with reason 5 completes it).

use vendhub_domain::payments::Provider;
use vendhub_domain::roles::Permission;
use vendhub_store::audit;
use vendhub_store::orders as store;
use vendhub_store::payments as payments_store;

use super::{OrderView, lifecycle, view};
use crate::audit_record::Record;
use crate::auth::Principal;
use crate::error::FieldError;
use crate::payments::{self, accounts};
use crate::ports::{ProviderRefund, RefundReply};
use crate::{App, AppError};

fn reason_of(text: &str, field: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            "say why, in at most 500 characters",
        )]));
    }
    Ok(t.to_owned())
}

/// One accountant's step on an order: the permission, the text checked, the order locked, `step` applied
/// in one transaction, the events published after commit.
async fn step<F>(
    app: &App,
    who: &Principal,
    id: &str,
    text: &str,
    field: &'static str,
    step: F,
) -> Result<OrderView, AppError>
where
    F: FnOnce(
            &mut vendhub_store::DbConn,
            &vendhub_store::TenantScope,
            &mut vendhub_store::orders::OrderRow,
            &str,
            &str,
            chrono::NaiveDateTime,
        ) -> Result<Vec<crate::ports::DomainEvent>, AppError>
        + Send
        + 'static,
{
    who.require(Permission::FinanceManage)?;
    let text = reason_of(text, field)?;
    let (scope, user, id, now) = (
        who.scope().clone(),
        who.user_id().to_string(),
        id.to_owned(),
        app.now(),
    );
    let (order, events) = app
        .write(move |c| {
            let mut o = store::lock(c, &scope, &id)?.ok_or(AppError::NotFound)?;
            let events = step(c, &scope, &mut o, &text, &user, now)?;
            Ok((o, events))
        })
        .await?;
    super::publish_all(app, &events).await;
    Ok(view(&order))
}

/// Starts the refund of a paid, failed or dispensed order (reason required); the refund job then asks the
/// provider. Another status is 409.
pub async fn request(app: &App, who: &Principal, id: &str, reason: &str) -> Result<OrderView, AppError> {
    step(
        app,
        who,
        id,
        reason,
        "reason",
        |c, scope, o, reason, user, now| {
            if !matches!(o.status.as_str(), "paid" | "failed" | "dispensed") {
                return Err(AppError::Conflict(format!(
                    "an order that is {} cannot be refunded",
                    o.status
                )));
            }
            lifecycle::start_refund(c, scope, o, reason, Some(user), now)
        },
    )
    .await
}

/// Records that the money went back (done in the provider's cabinet): `refund_pending -> refunded`.
pub async fn record(app: &App, who: &Principal, id: &str, note: &str) -> Result<OrderView, AppError> {
    step(app, who, id, note, "note", |c, scope, o, note, user, now| {
        if o.status != "refund_pending" {
            return Err(AppError::Conflict(format!(
                "only an order waiting for its refund can be recorded as refunded; this one is {}",
                o.status
            )));
        }
        lifecycle::refunded(c, scope, o, note, Some(user), now)
    })
    .await
}

/// What the refund job did with an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderRefundOutcome {
    /// The provider gave the money back: the order is `refunded`.
    Refunded,
    /// The provider accepted and finishes later (Payme's queued receipt cancel): the order stays
    /// `refund_pending` until the provider's own call completes it.
    Accepted,
    /// The provider has no call for it here (or the settings lack what the call needs): the order waits as
    /// `refund_pending` for the provider's own call or the accountant. The reason is audited.
    Waiting(String),
    /// The order is no longer waiting for its refund (already refunded, or not this organization's).
    Nothing,
}

/// Why a provider refund attempt failed; the job tries again later.
#[derive(Debug, thiserror::Error)]
pub enum ProviderRefundError {
    #[error(transparent)]
    App(#[from] AppError),
    /// The provider refused, timed out or could not be reached (audited).
    #[error("{0}")]
    Provider(String),
}

enum Plan {
    Call {
        provider: Provider,
        request: ProviderRefund,
        /// Our transaction row the call is about.
        tx_id: String,
        provider_tx_id: String,
    },
    Wait(String),
    Nothing,
}

fn plan(
    app: &App,
    c: &mut vendhub_store::DbConn,
    order_id: &str,
    organization_id: &str,
) -> Result<Plan, AppError> {
    let Some(order) = store::find_any(c, order_id)? else {
        return Ok(Plan::Nothing);
    };
    if order.organization_id != organization_id || order.status != "refund_pending" {
        return Ok(Plan::Nothing);
    }
    let scope = payments::order_scope(&order)?;
    let Some(provider) = order.provider.as_deref().and_then(Provider::parse) else {
        return Ok(Plan::Wait(
            "the order was not paid through a payment provider: the accountant records the refund".into(),
        ));
    };
    let settings = &app.settings().payments;
    let mut paid = |state: &str| {
        payments_store::for_order(c, &scope, &order.id).map(|txs| {
            txs.into_iter()
                .rev()
                .find(|t| t.provider == provider.as_str() && t.state == state)
        })
    };
    match provider {
        Provider::Uzum => Ok(Plan::Wait(
            "Uzum Bank has no refund call for merchants: the order waits for Uzum's reverse or the accountant"
                .into(),
        )),
        Provider::Payme if !settings.payme_receipt_cancel => Ok(Plan::Wait(
            "Payme: cancel the receipt in the Payme cabinet (PAYME_RECEIPT_CANCEL is off); Payme's \
             CancelTransaction completes the refund, or the accountant records it"
                .into(),
        )),
        Provider::Payme => {
            let Some(tx) = paid("2")? else {
                return Ok(Plan::Wait("no performed Payme transaction for this order".into()));
            };
            let Some(account) = accounts::for_organization(app, c, &scope, Provider::Payme)? else {
                return Ok(Plan::Wait("no Payme merchant account is configured".into()));
            };
            Ok(Plan::Call {
                provider,
                request: ProviderRefund::PaymeReceiptCancel {
                    api_url: settings.payme_api_url.clone(),
                    merchant_id: account.merchant_id.clone(),
                    key: account.key().to_owned(),
                    receipt_id: tx.provider_tx_id.clone(),
                },
                tx_id: tx.id,
                provider_tx_id: tx.provider_tx_id,
            })
        }
        Provider::Click => {
            let Some(tx) = paid("confirmed")? else {
                return Ok(Plan::Wait("no completed Click payment for this order".into()));
            };
            let Some(payment_id) = tx.paydoc_id else {
                return Ok(Plan::Wait("the Click payment has no click_paydoc_id to reverse".into()));
            };
            let Some(account) = accounts::for_organization(app, c, &scope, Provider::Click)? else {
                return Ok(Plan::Wait("no Click merchant account is configured".into()));
            };
            let (Some(user), Some(service)) = (account.merchant_user_id.clone(), account.service_id.clone())
            else {
                return Ok(Plan::Wait(
                    "Click reversal needs CLICK_MERCHANT_USER_ID and CLICK_SERVICE_ID".into(),
                ));
            };
            Ok(Plan::Call {
                provider,
                request: ProviderRefund::ClickReversal {
                    api_url: settings.click_api_url.clone(),
                    merchant_user_id: user,
                    secret_key: account.secret.clone(),
                    service_id: service,
                    payment_id,
                    timestamp: app.now().and_utc().timestamp(),
                },
                tx_id: tx.id,
                provider_tx_id: tx.provider_tx_id,
            })
        }
    }
}

fn audit_refund(
    c: &mut vendhub_store::DbConn,
    action: &str,
    order_id: &str,
    organization_id: &str,
    after: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        c,
        &Record::new(action, "order", &order_id)
            .in_organization(&organization_id)
            .after(Some(after))
            .done(),
    )?;
    Ok(())
}

/// No call for this order: the reason is audited and the order waits for the provider or the accountant.
async fn waiting(
    app: &App,
    order_id: &str,
    organization_id: &str,
    reason: String,
) -> Result<ProviderRefundOutcome, ProviderRefundError> {
    let (o, org, r) = (order_id.to_owned(), organization_id.to_owned(), reason.clone());
    app.write(move |c| {
        audit_refund(
            c,
            "order.refund_waiting",
            &o,
            &org,
            serde_json::json!({ "reason": r }),
        )
    })
    .await?;
    Ok(ProviderRefundOutcome::Waiting(reason))
}

/// A reversed payment's row is stored `cancelled` (Click has no state of its own for a reversal).
fn cancel_tx(
    c: &mut vendhub_store::DbConn,
    scope: &vendhub_store::TenantScope,
    order_id: &str,
    tx_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    if let Some(mut tx) = payments_store::for_order(c, scope, order_id)?
        .into_iter()
        .find(|t| t.id == tx_id)
    {
        "cancelled".clone_into(&mut tx.state);
        tx.cancel_time = Some(payments::ms(now));
        tx.updated_at = now;
        payments_store::save(c, scope, &tx)?;
    }
    Ok(())
}

/// The refund job's work for one order: asks its provider for the money back (outside any database
/// transaction, with the adapter's timeout), then, when the provider did, moves the order to `refunded` in
/// one transaction with the order locked. A refusal, timeout or unreachable provider is audited and
/// returned as [`ProviderRefundError::Provider`] (the job retries; after its last attempt the order stays
/// `refund_pending` in the panel).
pub async fn through_provider(
    app: &App,
    order_id: &str,
    organization_id: &str,
    attempt: u32,
) -> Result<ProviderRefundOutcome, ProviderRefundError> {
    let (a, o, org) = (app.clone(), order_id.to_owned(), organization_id.to_owned());
    let plan = app.write(move |c| plan(&a, c, &o, &org)).await?;
    let (provider, request, tx_id, provider_tx_id) = match plan {
        Plan::Nothing => return Ok(ProviderRefundOutcome::Nothing),
        Plan::Wait(reason) => return waiting(app, order_id, organization_id, reason).await,
        Plan::Call {
            provider,
            request,
            tx_id,
            provider_tx_id,
        } => (provider, request, tx_id, provider_tx_id),
    };
    let method = match request {
        ProviderRefund::ClickReversal { .. } => "payment_reversal",
        ProviderRefund::PaymeReceiptCancel { .. } => "receipts.cancel",
    };
    let reply = app.providers().refund(&request).await;
    let now = app.now();
    let (o, org) = (order_id.to_owned(), organization_id.to_owned());
    let request_text = format!("{request:?}");
    let done = app
        .write(move |c| -> Result<(Result<ProviderRefundOutcome, String>, Vec<_>), AppError> {
            let (answer, outcome, result) = match &reply {
                Ok(RefundReply::Done { raw }) => (raw.clone(), "refunded", Ok(ProviderRefundOutcome::Refunded)),
                Ok(RefundReply::Queued { raw }) => (raw.clone(), "accepted", Ok(ProviderRefundOutcome::Accepted)),
                Ok(RefundReply::Refused { code, note, raw }) => (
                    raw.clone(),
                    "refused",
                    Err(format!("{} refused the refund: {code} {note}", provider.as_str())),
                ),
                Err(e) => (e.to_string(), "failed", Err(format!("{} refund call failed: {e}", provider.as_str()))),
            };
            payments::record_call(
                c,
                provider,
                method,
                Some(&org),
                Some(&o),
                Some(&provider_tx_id),
                request_text.as_bytes(),
                &answer,
                0,
                outcome,
                now,
            )?;
            let mut events = Vec::new();
            match &result {
                Ok(ProviderRefundOutcome::Refunded) => {
                    let scope = payments::order_scope_of(&org)?;
                    let Some(mut order) = store::lock(c, &scope, &o)? else {
                        return Ok((Ok(ProviderRefundOutcome::Nothing), events));
                    };
                    if order.status != "refund_pending" {
                        audit_refund(c, "order.refund_provider_done", &o, &org,
                            serde_json::json!({ "provider": provider.as_str(), "method": method,
                                "order_status": order.status, "answer": answer }))?;
                        return Ok((Ok(ProviderRefundOutcome::Nothing), events));
                    }
                    if provider == Provider::Click {
                        cancel_tx(c, &scope, &o, &tx_id, now)?;
                    }
                    events = lifecycle::refunded(
                        c,
                        &scope,
                        &mut order,
                        &format!("refunded through {} ({method})", provider.as_str()),
                        None,
                        now,
                    )?;
                }
                Ok(_) => audit_refund(c, "order.refund_accepted", &o, &org,
                    serde_json::json!({ "provider": provider.as_str(), "method": method, "answer": answer }))?,
                Err(why) => audit_refund(c, "order.refund_failed", &o, &org,
                    serde_json::json!({ "provider": provider.as_str(), "method": method, "attempt": attempt,
                        "error": why }))?,
            }
            Ok((result, events))
        })
        .await?;
    let (result, events) = done;
    super::publish_all(app, &events).await;
    result.map_err(ProviderRefundError::Provider)
}
