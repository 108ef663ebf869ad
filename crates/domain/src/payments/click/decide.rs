//! The Prepare and Complete decisions (PROTOCOLS.md §2.2–§2.5). Checks run in this order: fields present
//! (-8), signature (-1), `service_id` and numeric fields (-8), `action` (-3), then the business checks.
//! On Complete, Click's own `error < 0` is handled BEFORE the paid-state check (§2.5 scenario 8), so a
//! failure report on a confirmed payment is answered -9, as Click's test matrix requires. Click's error
//! page says -4 for "cancel a previously confirmed transaction"; the matrix (the acceptance suite) wins.

use super::sign::{SignInput, parse_som, sign_matches};
use super::wire::{ClickError, CompleteResponse, Form, PrepareResponse};
use crate::money::Tiyin;
use crate::orders::OrderFacts;

/// Our merchant settings for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merchant<'a> {
    pub service_id: i64,
    pub secret_key: &'a str,
}

/// A Click payment as we store it; `prepare_id` is our `merchant_prepare_id` (and `merchant_confirm_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickPayment {
    pub prepare_id: i64,
    pub click_trans_id: i64,
    pub click_paydoc_id: i64,
    pub order_id: String,
    pub amount: Tiyin,
    pub state: ClickState,
}

/// Where a Click payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClickState {
    /// Prepare answered 0: the order is held for this payment.
    Prepared,
    /// Complete answered 0: the order is paid.
    Confirmed,
    /// Click reported a failure, or the order could no longer be paid.
    Cancelled,
}

/// What the order must do because of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEffect {
    None,
    /// `created -> paid`, the vend is queued.
    MarkPaid,
    /// The pending payment ended unpaid; the order may take another.
    Release,
}

/// A decision: the reply, the payment row to write (whole; `None` = nothing) and the order's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<R> {
    pub response: R,
    pub store: Option<ClickPayment>,
    pub order: OrderEffect,
}

/// The fields every call needs, present and well formed.
struct Checked<'a> {
    click_trans_id: i64,
    click_paydoc_id: i64,
    merchant_trans_id: &'a str,
    amount: &'a str,
    action: &'a str,
    click_error: i64,
}

fn checked<'a>(form: &'a Form, merchant: &Merchant<'_>, complete: bool) -> Result<Checked<'a>, ClickError> {
    let field = |f: &'a Option<String>| f.as_deref().ok_or(ClickError::ErrorInRequest);
    let (click_trans_id, service_id, paydoc) = (
        field(&form.click_trans_id)?,
        field(&form.service_id)?,
        field(&form.click_paydoc_id)?,
    );
    let (merchant_trans_id, amount, action) = (
        field(&form.merchant_trans_id)?,
        field(&form.amount)?,
        field(&form.action)?,
    );
    let (error, sign_time, sign) = (
        field(&form.error)?,
        field(&form.sign_time)?,
        field(&form.sign_string)?,
    );
    let prepare_id = if complete {
        Some(field(&form.merchant_prepare_id)?)
    } else {
        None
    };
    let input = SignInput {
        click_trans_id,
        service_id,
        merchant_trans_id,
        merchant_prepare_id: prepare_id,
        amount,
        action,
        sign_time,
    };
    if !sign_matches(merchant.secret_key, &input, sign) {
        return Err(ClickError::SignCheckFailed);
    }
    let int = |s: &str| s.parse::<i64>().map_err(|_| ClickError::ErrorInRequest);
    if int(service_id)? != merchant.service_id {
        return Err(ClickError::ErrorInRequest);
    }
    Ok(Checked {
        click_trans_id: int(click_trans_id)?,
        click_paydoc_id: int(paydoc)?,
        merchant_trans_id,
        amount,
        action,
        click_error: int(error)?,
    })
}

fn prepare_reply(form: &Form, prepare_id: Option<i64>, e: ClickError) -> PrepareResponse {
    PrepareResponse {
        click_trans_id: form.click_trans_id.as_deref().and_then(|s| s.parse().ok()),
        merchant_trans_id: form.merchant_trans_id.clone(),
        merchant_prepare_id: prepare_id,
        error: e.code(),
        error_note: e.note(),
    }
}

fn complete_reply(form: &Form, confirm_id: Option<i64>, e: ClickError) -> CompleteResponse {
    CompleteResponse {
        click_trans_id: form.click_trans_id.as_deref().and_then(|s| s.parse().ok()),
        merchant_trans_id: form.merchant_trans_id.clone(),
        merchant_confirm_id: confirm_id,
        error: e.code(),
        error_note: e.note(),
    }
}

/// Prepare (action 0). `stored` is the payment with this `click_trans_id`, if any; `order` the order
/// `merchant_trans_id` names (its `other_pending_payment` must not count `stored`); `new_prepare_id` the id a
/// new payment row gets. A repeated Prepare answers
/// the stored prepare id.
pub fn prepare(
    form: &Form,
    merchant: &Merchant<'_>,
    stored: Option<&ClickPayment>,
    order: Option<&OrderFacts>,
    new_prepare_id: i64,
) -> Decision<PrepareResponse> {
    let reply = |e| Decision {
        response: prepare_reply(form, None, e),
        store: None,
        order: OrderEffect::None,
    };
    let c = match checked(form, merchant, false) {
        Ok(c) => c,
        Err(e) => return reply(e),
    };
    if c.action != "0" {
        return reply(ClickError::ActionNotFound);
    }
    if c.click_error < 0 {
        let cancelled = stored
            .filter(|p| p.state == ClickState::Prepared)
            .map(|p| ClickPayment {
                state: ClickState::Cancelled,
                ..p.clone()
            });
        let effect = if cancelled.is_some() {
            OrderEffect::Release
        } else {
            OrderEffect::None
        };
        return Decision {
            response: prepare_reply(form, None, ClickError::TransactionCancelled),
            store: cancelled,
            order: effect,
        };
    }
    let Some(order) = order else {
        return reply(ClickError::UserDoesNotExist);
    };
    match parse_som(c.amount) {
        Ok(amount) if amount == order.amount => {}
        _ => return reply(ClickError::IncorrectAmount),
    }
    if let Some(p) = stored {
        return match p.state {
            ClickState::Prepared => Decision {
                response: prepare_reply(form, Some(p.prepare_id), ClickError::Success),
                store: None,
                order: OrderEffect::None,
            },
            ClickState::Confirmed => reply(ClickError::AlreadyPaid),
            ClickState::Cancelled => reply(ClickError::TransactionCancelled),
        };
    }
    if order.status.is_charged() || order.other_pending_payment {
        return reply(ClickError::AlreadyPaid);
    }
    if !order.payable() {
        return reply(ClickError::TransactionCancelled);
    }
    let payment = ClickPayment {
        prepare_id: new_prepare_id,
        click_trans_id: c.click_trans_id,
        click_paydoc_id: c.click_paydoc_id,
        order_id: c.merchant_trans_id.to_owned(),
        amount: order.amount,
        state: ClickState::Prepared,
    };
    Decision {
        response: prepare_reply(form, Some(new_prepare_id), ClickError::Success),
        store: Some(payment),
        order: OrderEffect::None,
    }
}

/// Complete (action 1). `stored` is the payment `merchant_prepare_id` names (if it parses and exists);
/// `order` the order `merchant_trans_id` names. The payment must belong to both, else -6.
pub fn complete(
    form: &Form,
    merchant: &Merchant<'_>,
    stored: Option<&ClickPayment>,
    order: Option<&OrderFacts>,
) -> Decision<CompleteResponse> {
    let reply = |e| Decision {
        response: complete_reply(form, None, e),
        store: None,
        order: OrderEffect::None,
    };
    let c = match checked(form, merchant, true) {
        Ok(c) => c,
        Err(e) => return reply(e),
    };
    if c.action != "1" {
        return reply(ClickError::ActionNotFound);
    }
    let Some(order) = order else {
        return reply(ClickError::UserDoesNotExist);
    };
    let Some(payment) =
        stored.filter(|p| p.click_trans_id == c.click_trans_id && p.order_id == c.merchant_trans_id)
    else {
        return reply(ClickError::TransactionDoesNotExist);
    };
    match parse_som(c.amount) {
        Ok(amount) if amount == payment.amount => {}
        _ => return reply(ClickError::IncorrectAmount),
    }
    let cancel = |effect| Decision {
        response: complete_reply(form, None, ClickError::TransactionCancelled),
        store: Some(ClickPayment {
            state: ClickState::Cancelled,
            ..payment.clone()
        }),
        order: effect,
    };
    if c.click_error < 0 {
        // A failure reported for a confirmed payment is answered -9 but does not un-pay the order: the
        // stored raw call is there for the investigation Click's "hanging payment" process starts.
        return match payment.state {
            ClickState::Prepared => cancel(OrderEffect::Release),
            ClickState::Confirmed | ClickState::Cancelled => reply(ClickError::TransactionCancelled),
        };
    }
    match payment.state {
        ClickState::Cancelled => return reply(ClickError::TransactionCancelled),
        ClickState::Confirmed => return reply(ClickError::AlreadyPaid),
        ClickState::Prepared => {}
    }
    // Paid meanwhile by another payment: -9 makes Click cancel this debit. -4 would read as "confirmed
    // before" and charge the customer twice.
    if order.status.is_charged() {
        return cancel(OrderEffect::None);
    }
    if !order.payable() {
        return cancel(OrderEffect::Release);
    }
    Decision {
        response: complete_reply(form, Some(payment.prepare_id), ClickError::Success),
        store: Some(ClickPayment {
            state: ClickState::Confirmed,
            ..payment.clone()
        }),
        order: OrderEffect::MarkPaid,
    }
}
