//! Click SHOP API calls (PROTOCOLS.md §2): Prepare and Complete, each answered in ONE write transaction
//! (the order's row locked, the stored payment read, the pure decision of
//! `vendhub_domain::payments::click`, the payment row and the order's change written, the call recorded
//! with our answer). Click always gets HTTP 200 with the error in the JSON body.

use chrono::NaiveDateTime;
use vendhub_domain::money::Tiyin;
use vendhub_domain::payments::Provider;
use vendhub_domain::payments::click::{
    self as rules, ClickError, ClickPayment, ClickState, CompleteResponse, Form, Merchant, OrderEffect,
    PrepareResponse,
};
use vendhub_store::payments::{self as store, PaymentTxRow};
use vendhub_store::{DbConn, TenantScope};

use super::{Effect, Endpoint, MerchantAccount, ms, order_facts, record_call};
use crate::ports::DomainEvent;
use crate::{App, AppError};

/// Which of the two calls Click made (the URL says it; the form's `action` must agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Prepare,
    Complete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Complete => "complete",
        }
    }
}

/// The JSON text of our answer (always sent with HTTP 200).
pub type Answer = String;

/// The counter that numbers `merchant_prepare_id` across the installation.
const PREPARE_COUNTER: &str = "click_prepare";

/// Answers a Prepare or Complete. `form` is the form as received (fields absent when the body could not
/// be read as a form), `raw` the body for the log. An internal failure rolls the call's changes back and
/// is answered -7 (recorded in a transaction of its own).
pub async fn call(app: &App, endpoint: Endpoint, action: Action, form: Form, raw: Vec<u8>) -> Answer {
    let now = app.now();
    let in_tx = (app.clone(), form.clone(), raw.clone());
    let done = app
        .write(move |c| answer(&in_tx.0, c, &endpoint, action, &in_tx.1, &in_tx.2, now))
        .await;
    match done {
        Ok((body, events)) => {
            crate::orders::publish_all(app, &events).await;
            body
        }
        Err(e) => {
            tracing::error!(error = %e, action = action.as_str(), "click call failed");
            let body = refusal(&form, action, ClickError::FailedToUpdateUser);
            let logged_body = body.clone();
            let trans_id = form.click_trans_id.clone();
            let logged = app
                .write(move |c| {
                    record_call(
                        c,
                        Provider::Click,
                        action.as_str(),
                        None,
                        None,
                        trans_id.as_deref(),
                        &raw,
                        &logged_body,
                        200,
                        &ClickError::FailedToUpdateUser.code().to_string(),
                        now,
                    )
                })
                .await;
            if let Err(e) = logged {
                tracing::error!(error = %e, "click call not recorded");
            }
            body
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// An answer without a payment (refused before or outside the decision).
fn refusal(form: &Form, action: Action, e: ClickError) -> String {
    let click_trans_id = form.click_trans_id.as_deref().and_then(|s| s.parse().ok());
    match action {
        Action::Prepare => to_json(&PrepareResponse {
            click_trans_id,
            merchant_trans_id: form.merchant_trans_id.clone(),
            merchant_prepare_id: None,
            error: e.code(),
            error_note: e.note(),
        }),
        Action::Complete => to_json(&CompleteResponse {
            click_trans_id,
            merchant_trans_id: form.merchant_trans_id.clone(),
            merchant_confirm_id: None,
            error: e.code(),
            error_note: e.note(),
        }),
    }
}

/// The order `id` names if `account` may serve it, locked, with its scope.
pub(super) fn served_order(
    c: &mut DbConn,
    account: &MerchantAccount,
    id: Option<&str>,
) -> Result<Option<(TenantScope, vendhub_store::orders::OrderRow)>, AppError> {
    let Some(id) = id.filter(|s| !s.is_empty() && s.len() <= 64) else {
        return Ok(None);
    };
    let Some(found) = vendhub_store::orders::find_any(c, id)? else {
        return Ok(None);
    };
    if !super::may_serve(c, account, &found)? {
        return Ok(None);
    }
    let scope = super::order_scope(&found)?;
    Ok(vendhub_store::orders::lock(c, &scope, id)?.map(|o| (scope, o)))
}

/// The provider's stored transaction `tx_id`, unless it belongs to an organization `account` may not serve.
pub(super) fn served_row(
    c: &mut DbConn,
    account: &MerchantAccount,
    provider: Provider,
    tx_id: Option<&str>,
) -> Result<Option<PaymentTxRow>, AppError> {
    let Some(tx_id) = tx_id.filter(|s| !s.is_empty() && s.len() <= 128) else {
        return Ok(None);
    };
    let Some(row) = store::find_by_provider_id(c, provider.as_str(), tx_id)? else {
        return Ok(None);
    };
    let Some(order) = vendhub_store::orders::find_any(c, &row.order_id)? else {
        return Ok(None);
    };
    Ok(super::may_serve(c, account, &order)?.then_some(row))
}

fn state_of(row: &PaymentTxRow) -> Result<ClickState, AppError> {
    match row.state.as_str() {
        "prepared" => Ok(ClickState::Prepared),
        "confirmed" => Ok(ClickState::Confirmed),
        "cancelled" => Ok(ClickState::Cancelled),
        other => Err(AppError::internal(format!("click payment in state {other:?}"))),
    }
}

fn state_text(s: ClickState) -> &'static str {
    match s {
        ClickState::Prepared => "prepared",
        ClickState::Confirmed => "confirmed",
        ClickState::Cancelled => "cancelled",
    }
}

fn payment_of(row: &PaymentTxRow) -> Result<ClickPayment, AppError> {
    Ok(ClickPayment {
        prepare_id: row
            .prepare_id
            .ok_or_else(|| AppError::internal("click payment without a prepare id"))?,
        click_trans_id: row
            .provider_tx_id
            .parse()
            .map_err(|_| AppError::internal("click payment with a non-numeric id"))?,
        click_paydoc_id: row.paydoc_id.unwrap_or_default(),
        order_id: row.order_id.clone(),
        amount: Tiyin::new(row.amount),
        state: state_of(row)?,
    })
}

/// The row to write for `p`: the stored one changed, or a new one.
fn row_for(
    p: &ClickPayment,
    stored: Option<&PaymentTxRow>,
    organization: &str,
    now: NaiveDateTime,
) -> PaymentTxRow {
    let t = ms(now);
    let mut row = stored.cloned().unwrap_or_else(|| PaymentTxRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: organization.to_owned(),
        order_id: p.order_id.clone(),
        provider: Provider::Click.as_str().to_owned(),
        provider_tx_id: p.click_trans_id.to_string(),
        state: String::new(),
        amount: p.amount.get(),
        provider_time: None,
        create_time: t,
        perform_time: None,
        cancel_time: None,
        reason: None,
        prepare_id: Some(p.prepare_id),
        paydoc_id: Some(p.click_paydoc_id),
        fiscal_data: None,
        created_at: now,
        updated_at: now,
    });
    let changed = row.state != state_text(p.state);
    state_text(p.state).clone_into(&mut row.state);
    row.updated_at = now;
    if changed {
        match p.state {
            ClickState::Confirmed => row.perform_time = Some(t),
            ClickState::Cancelled => row.cancel_time = Some(t),
            ClickState::Prepared => {}
        }
    }
    row
}

fn effect(e: OrderEffect) -> Effect {
    match e {
        OrderEffect::None => Effect::None,
        OrderEffect::MarkPaid => Effect::MarkPaid,
        OrderEffect::Release => Effect::Release,
    }
}

/// The whole call inside the write transaction: our answer and the events to publish after commit.
fn answer(
    app: &App,
    c: &mut DbConn,
    endpoint: &Endpoint,
    action: Action,
    form: &Form,
    raw: &[u8],
    now: NaiveDateTime,
) -> Result<(String, Vec<DomainEvent>), AppError> {
    let record = |c: &mut DbConn, org: Option<&str>, order: Option<&str>, body: &str, code: i32| {
        let outcome = if code == 0 {
            "ok".to_owned()
        } else {
            code.to_string()
        };
        record_call(
            c,
            Provider::Click,
            action.as_str(),
            org,
            order,
            form.click_trans_id.as_deref(),
            raw,
            body,
            200,
            &outcome,
            now,
        )
    };
    let account = super::accounts::resolve(app, c, Provider::Click, endpoint)?;
    let Some((account, service_id)) = account.and_then(|a| a.service_id_number().map(|s| (a, s))) else {
        // No account at this URL: nothing can check the signature.
        let body = refusal(form, action, ClickError::SignCheckFailed);
        record(c, None, None, &body, ClickError::SignCheckFailed.code())?;
        return Ok((body, Vec::new()));
    };
    let merchant = Merchant {
        service_id,
        secret_key: account.key(),
    };
    let mut order = served_order(c, &account, form.merchant_trans_id.as_deref())?;
    let tx_id = form.click_trans_id.as_deref();
    let stored_row = match action {
        Action::Prepare => served_row(c, &account, Provider::Click, tx_id)?,
        // Complete names its payment by our `merchant_prepare_id`; it must be that click_trans_id's.
        Action::Complete => {
            let prepare_id = form
                .merchant_prepare_id
                .as_deref()
                .and_then(|s| s.parse::<i64>().ok());
            served_row(c, &account, Provider::Click, tx_id)?
                .filter(|r| prepare_id.is_some() && r.prepare_id == prepare_id)
        }
    };
    // A stored payment of another order (or of none the account serves) is not this call's.
    let stored_row = stored_row.filter(|r| order.as_ref().is_some_and(|(_, o)| o.id == r.order_id));
    let stored = stored_row.as_ref().map(payment_of).transpose()?;
    let facts = match &order {
        Some((scope, o)) => Some(order_facts(
            c,
            scope,
            o,
            tx_id.map(|t| (Provider::Click, t)),
            now,
        )?),
        None => None,
    };
    let (body, code, store, order_effect) = match action {
        Action::Prepare => {
            let new_id = vendhub_store::payments::next_counter(c, PREPARE_COUNTER)?;
            let d = rules::prepare(form, &merchant, stored.as_ref(), facts.as_ref(), new_id);
            (to_json(&d.response), d.response.error, d.store, d.order)
        }
        Action::Complete => {
            let d = rules::complete(form, &merchant, stored.as_ref(), facts.as_ref());
            (to_json(&d.response), d.response.error, d.store, d.order)
        }
    };
    let mut events = Vec::new();
    let (org, order_id) = match &mut order {
        Some((scope, o)) => {
            if let Some(p) = &store {
                store::save(
                    c,
                    scope,
                    &row_for(p, stored_row.as_ref(), &o.organization_id, now),
                )?;
            }
            events = super::apply(
                c,
                scope,
                o,
                Provider::Click,
                effect(order_effect),
                &app.settings().payments,
                now,
            )?;
            (Some(o.organization_id.clone()), Some(o.id.clone()))
        }
        None => (None, form.merchant_trans_id.clone()),
    };
    record(c, org.as_deref(), order_id.as_deref(), &body, code)?;
    Ok((body, events))
}
