//! Payme's Merchant API (PROTOCOLS.md §1): one JSON-RPC call per request, answered with HTTP 200 whatever
//! happens. Every call runs in one write transaction: the merchant account the URL names (with a key
//! Payme changed by `ChangePassword`), Basic auth compared whole, the order locked, the stored transaction
//! read again under the lock, the pure decision of `vendhub_domain::payments::payme::machine`, the row and
//! the order's change written, and the call recorded with our answer. Events are published after commit.

use chrono::NaiveDateTime;
use serde_json::Value;
use vendhub_domain::money::Tiyin;
use vendhub_domain::payments::Provider;
use vendhub_domain::payments::payme::params::{FiscalType, SetFiscalDataParams};
use vendhub_domain::payments::payme::rpc::{self, Call, Detail, DetailItem, PaymeResult, Response};
use vendhub_domain::payments::payme::{
    self, CancelReason, Decision, Method, OrderEffect, PaymeError, PaymeTxId, Transaction, TxState, machine,
};
use vendhub_store::orders::{self as orders_store, OrderRow};
use vendhub_store::payment_keys::{self, KeyOverrideRow};
use vendhub_store::payments::{self as store, PaymentTxRow};
use vendhub_store::{DbConn, TenantScope, audit, products};

use super::accounts::{self, Endpoint, MerchantAccount};
use super::{Effect, apply, may_serve, ms, order_facts, order_scope, order_scope_of, record_call};
use crate::audit_record::Record;
use crate::auth::secrets_at_rest;
use crate::ports::DomainEvent;
use crate::{App, AppError};

const PROVIDER: Provider = Provider::Payme;
/// The longest order id we look up (ours are UUIDs).
const MAX_ORDER_ID: usize = 64;

/// Answers one call to `endpoint`: the JSON body to send with HTTP 200.
pub async fn handle(app: &App, endpoint: Endpoint, authorization: Option<String>, body: Vec<u8>) -> String {
    let now = app.now();
    let method = method_label(&body);
    let request = body.clone();
    let inner = app.clone();
    let served = app
        .write(move |c| {
            let done = serve(&inner, c, &endpoint, authorization.as_deref(), &body, now)?;
            let text = serde_json::to_string(&done.response).map_err(AppError::internal)?;
            let outcome = outcome_of(&done.response);
            record_call(
                c,
                PROVIDER,
                method,
                done.org.as_deref(),
                done.order.as_deref(),
                done.tx.as_deref(),
                &body,
                &text,
                200,
                &outcome,
                now,
            )?;
            Ok((text, outcome, done.events))
        })
        .await;
    let (text, outcome) = match served {
        Ok((text, outcome, events)) => {
            crate::orders::publish_all(app, &events).await;
            (text, outcome)
        }
        Err(e) => {
            tracing::error!(error = %e, method, "a Payme call failed");
            let reply = Response::new(rpc::id_of(&request), Err(PaymeError::internal()));
            let text = serde_json::to_string(&reply).unwrap_or_default();
            let outcome = outcome_of(&reply);
            let (t, o) = (text.clone(), outcome.clone());
            let kept = app
                .write(move |c| {
                    record_call(c, PROVIDER, method, None, None, None, &request, &t, 200, &o, now)
                })
                .await;
            if let Err(e) = kept {
                tracing::error!(error = %e, "a failed Payme call could not be recorded");
            }
            (text, outcome)
        }
    };
    metrics::counter!("vendhub_payment_calls_total", "provider" => PROVIDER.as_str(), "method" => method,
        "outcome" => outcome)
    .increment(1);
    text
}

/// The method named in the body when it is one of Payme's (a bounded label for metrics and the log).
fn method_label(body: &[u8]) -> &'static str {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("method").and_then(Value::as_str).and_then(Method::parse))
        .map_or("unknown", Method::as_str)
}

/// `ok`, or the error code as text.
fn outcome_of(r: &Response) -> String {
    match r {
        Response::Success { .. } => "ok".into(),
        Response::Failure { error, .. } => error.code.to_string(),
    }
}

/// What one call did, for the record of it.
struct Served {
    response: Response,
    /// The organization and order the call was about, once the account was found to serve them.
    org: Option<String>,
    order: Option<String>,
    tx: Option<String>,
    events: Vec<DomainEvent>,
}

fn serve(
    app: &App,
    c: &mut DbConn,
    endpoint: &Endpoint,
    authorization: Option<&str>,
    body: &[u8],
    now: NaiveDateTime,
) -> Result<Served, AppError> {
    let mut s = Served {
        response: Response::new(Value::Null, Err(PaymeError::insufficient_privilege())),
        org: None,
        order: None,
        tx: None,
        events: Vec::new(),
    };
    let account = account(app, c, endpoint)?;
    let Some(account) = account.filter(|a| payme::authorized(authorization, a.key())) else {
        s.response = Response::new(rpc::id_of(body), Err(PaymeError::insufficient_privilege()));
        return Ok(s);
    };
    let request = match rpc::parse_request(body) {
        Ok(r) => r,
        Err(rejected) => {
            s.response = rejected.into();
            return Ok(s);
        }
    };
    let answer = dispatch(app, c, &account, request.call, now, &mut s)?;
    s.response = Response::new(request.id, answer);
    Ok(s)
}

/// The Payme account `endpoint` names; for the installation's, with a key Payme changed since.
pub fn account(app: &App, c: &mut DbConn, endpoint: &Endpoint) -> Result<Option<MerchantAccount>, AppError> {
    let Some(mut account) = accounts::resolve(app, c, PROVIDER, endpoint)? else {
        return Ok(None);
    };
    if account.owner.is_none() {
        for which in [Which::Secret, Which::TestSecret] {
            if let Some(row) = payment_keys::get(c, PROVIDER.as_str(), which.as_str())? {
                let key = open(app, &row.secret_sealed)?;
                match which {
                    Which::Secret => account.secret = key,
                    Which::TestSecret => account.test_secret = Some(key),
                }
            }
        }
    }
    Ok(Some(account))
}

/// Which of an account's keys authenticates Payme now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Secret,
    TestSecret,
}

impl Which {
    fn of(account: &MerchantAccount) -> Self {
        match (&account.test_secret, account.test_mode) {
            (Some(k), true) if !k.is_empty() => Self::TestSecret,
            _ => Self::Secret,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::TestSecret => "test_secret",
        }
    }
}

fn open(app: &App, sealed: &str) -> Result<String, AppError> {
    String::from_utf8(secrets_at_rest::open(&app.auth().encryption_key, sealed)?)
        .map_err(|_| AppError::internal("a sealed Payme key is not text"))
}

type Answer = Result<PaymeResult, PaymeError>;

fn dispatch(
    app: &App,
    c: &mut DbConn,
    account: &MerchantAccount,
    call: Call,
    now: NaiveDateTime,
    s: &mut Served,
) -> Result<Answer, AppError> {
    let now_ms = ms(now);
    match call {
        Call::CheckPerformTransaction(p) => {
            let Some((scope, order)) = servable_order(c, account, p.account.order_id.as_deref(), s)? else {
                return Ok(Err(PaymeError::order_not_found()));
            };
            let facts = order_facts(c, &scope, &order, None, now)?;
            if let Err(e) = machine::check_perform(p.amount, Some(&facts)) {
                return Ok(Err(e));
            }
            Ok(Ok(PaymeResult::CheckPerform {
                allow: true,
                detail: Some(detail(c, &scope, &order)?),
            }))
        }
        Call::CreateTransaction(p) => {
            s.tx = Some(p.id.to_string());
            let stored = stored_row(c, account, &p.id)?;
            let order_id = stored
                .as_ref()
                .map_or(p.account.order_id.clone(), |r| Some(r.order_id.clone()));
            let Some((scope, mut order)) = servable_order(c, account, order_id.as_deref(), s)? else {
                return Ok(Err(PaymeError::order_not_found()));
            };
            let stored = reread(c, &scope, &p.id)?;
            let tx = stored.as_ref().map(to_tx).transpose()?;
            let facts = order_facts(c, &scope, &order, Some((PROVIDER, p.id.as_str())), now)?;
            let new_id = uuid::Uuid::now_v7().to_string();
            let d = machine::create(&p, tx.as_ref(), Some(&facts), now_ms, &new_id);
            finish(app, c, &scope, &mut order, stored.as_ref(), d, now, s)
        }
        Call::PerformTransaction(p) => {
            s.tx = Some(p.id.to_string());
            let Some((scope, mut order, row)) = locked(c, account, &p.id, s)? else {
                return Ok(Err(PaymeError::tx_not_found()));
            };
            let tx = to_tx(&row)?;
            let facts = order_facts(c, &scope, &order, Some((PROVIDER, p.id.as_str())), now)?;
            let d = machine::perform(Some(&tx), &facts, now_ms);
            finish(app, c, &scope, &mut order, Some(&row), d, now, s)
        }
        Call::CancelTransaction(p) => {
            s.tx = Some(p.id.to_string());
            let Some((scope, mut order, row)) = locked(c, account, &p.id, s)? else {
                return Ok(Err(PaymeError::tx_not_found()));
            };
            let tx = to_tx(&row)?;
            let facts = order_facts(c, &scope, &order, Some((PROVIDER, p.id.as_str())), now)?;
            let d = machine::cancel(p.reason, Some(&tx), facts.status, now_ms);
            finish(app, c, &scope, &mut order, Some(&row), d, now, s)
        }
        Call::CheckTransaction(p) => {
            s.tx = Some(p.id.to_string());
            let row = stored_row(c, account, &p.id)?;
            if let Some(r) = &row {
                s.org = Some(r.organization_id.clone());
                s.order = Some(r.order_id.clone());
            }
            let tx = row.as_ref().map(to_tx).transpose()?;
            Ok(machine::check(tx.as_ref()))
        }
        Call::GetStatement(p) => {
            let rows = statement_rows(c, account, p.from, p.to)?;
            let txs = rows.iter().map(to_tx).collect::<Result<Vec<_>, _>>()?;
            s.org.clone_from(&account.owner);
            Ok(Ok(machine::statement(p.from, p.to, &txs)))
        }
        Call::ChangePassword(p) => {
            s.org.clone_from(&account.owner);
            if let Err(e) = machine::change_password(&p, account.key()) {
                return Ok(Err(e));
            }
            change_key(app, c, account, &p.password, now)?;
            Ok(Ok(PaymeResult::Success { success: true }))
        }
        Call::SetFiscalData(p) => {
            s.tx = Some(p.id.to_string());
            let Some((scope, _order, row)) = locked(c, account, &p.id, s)? else {
                return Ok(Err(PaymeError::receipt_not_found()));
            };
            let tx = to_tx(&row)?;
            if let Err(e) = machine::set_fiscal_data(&p, Some(&tx)) {
                return Ok(Err(e));
            }
            store_fiscal_data(c, &scope, row, &p, now)?;
            Ok(Ok(PaymeResult::Success { success: true }))
        }
    }
}

/// The order `id` names when `account` may serve it, locked; the call is then about its organization.
/// Anything else (no id, an unknown one, another merchant's order) is `None`, answered as not found.
fn servable_order(
    c: &mut DbConn,
    account: &MerchantAccount,
    id: Option<&str>,
    s: &mut Served,
) -> Result<Option<(TenantScope, OrderRow)>, AppError> {
    let Some(id) = id.filter(|id| !id.is_empty() && id.len() <= MAX_ORDER_ID) else {
        return Ok(None);
    };
    let Some(order) = orders_store::find_any(c, id)? else {
        return Ok(None);
    };
    if !may_serve(c, account, &order)? {
        return Ok(None);
    }
    let scope = order_scope(&order)?;
    let Some(order) = orders_store::lock(c, &scope, &order.id)? else {
        return Ok(None);
    };
    s.org = Some(order.organization_id.clone());
    s.order = Some(order.id.clone());
    Ok(Some((scope, order)))
}

/// The stored transaction with Payme's `id`, when `account` may serve its order (another merchant's is
/// treated as absent).
fn stored_row(
    c: &mut DbConn,
    account: &MerchantAccount,
    id: &PaymeTxId,
) -> Result<Option<PaymentTxRow>, AppError> {
    let Some(row) = store::find_by_provider_id(c, PROVIDER.as_str(), id.as_str())? else {
        return Ok(None);
    };
    let Some(order) = orders_store::find_any(c, &row.order_id)? else {
        return Ok(None);
    };
    Ok(may_serve(c, account, &order)?.then_some(row))
}

/// The transaction read again once its order is locked (a concurrent call may have changed it).
fn reread(c: &mut DbConn, scope: &TenantScope, id: &PaymeTxId) -> Result<Option<PaymentTxRow>, AppError> {
    Ok(store::find_by_provider_id(c, PROVIDER.as_str(), id.as_str())?
        .filter(|r| r.organization_id == scope.org()))
}

/// The stored transaction `id` with its order locked, read again under the lock.
fn locked(
    c: &mut DbConn,
    account: &MerchantAccount,
    id: &PaymeTxId,
    s: &mut Served,
) -> Result<Option<(TenantScope, OrderRow, PaymentTxRow)>, AppError> {
    let Some(row) = stored_row(c, account, id)? else {
        return Ok(None);
    };
    let Some((scope, order)) = servable_order(c, account, Some(&row.order_id), s)? else {
        return Ok(None);
    };
    let Some(row) = reread(c, &scope, id)? else {
        return Ok(None);
    };
    Ok(Some((scope, order, row)))
}

/// Writes a decision: the transaction row, the order's change; the answer.
#[allow(
    clippy::too_many_arguments,
    reason = "the parts of one call, named at the call"
)]
fn finish(
    app: &App,
    c: &mut DbConn,
    scope: &TenantScope,
    order: &mut OrderRow,
    previous: Option<&PaymentTxRow>,
    d: Decision,
    now: NaiveDateTime,
    s: &mut Served,
) -> Result<Answer, AppError> {
    if let Some(tx) = &d.store {
        store::save(c, scope, &to_row(tx, previous, &order.organization_id, now))?;
    }
    let effect = match d.order {
        OrderEffect::None => Effect::None,
        OrderEffect::MarkPaid => Effect::MarkPaid,
        OrderEffect::Release => Effect::Release,
        OrderEffect::Refunded => Effect::Refunded,
    };
    let events = apply(c, scope, order, PROVIDER, effect, &app.settings().payments, now)?;
    s.events.extend(events);
    Ok(d.answer)
}

/// The fiscal `detail` of the order's one item (PROTOCOLS.md §1.5): the product's IKPU, package code and
/// VAT rate, the price the order was made with.
fn detail(c: &mut DbConn, scope: &TenantScope, order: &OrderRow) -> Result<Detail, AppError> {
    let product = products::get(c, scope, &order.product_id)?;
    let (code, package_code, vat_percent) = product.map_or_else(Default::default, |p| {
        (
            p.ikpu_code.unwrap_or_default(),
            p.package_code.unwrap_or_default(),
            u8::try_from(p.vat_rate).unwrap_or(0),
        )
    });
    Ok(Detail {
        receipt_type: 0,
        items: vec![DetailItem {
            title: order.product_name.clone(),
            price: Tiyin::new(order.amount),
            count: 1,
            code,
            package_code,
            vat_percent,
            units: None,
            discount: None,
        }],
    })
}

/// The transactions `GetStatement` reports for `account`: its organization's, or, for the installation's
/// account, those of the organizations without a Payme account of their own.
fn statement_rows(
    c: &mut DbConn,
    account: &MerchantAccount,
    from: i64,
    to: i64,
) -> Result<Vec<PaymentTxRow>, AppError> {
    if let Some(org) = &account.owner {
        let scope = order_scope_of(org)?;
        return Ok(store::by_provider_time(c, &scope, PROVIDER.as_str(), from, to)?);
    }
    let mut served = std::collections::HashMap::new();
    let mut out = Vec::new();
    for row in store::by_provider_time_any(c, PROVIDER.as_str(), from, to)? {
        let ours = match served.get(&row.organization_id) {
            Some(b) => *b,
            None => {
                let scope = order_scope_of(&row.organization_id)?;
                let b = store::account(c, &scope, PROVIDER.as_str())?.is_none();
                served.insert(row.organization_id.clone(), b);
                b
            }
        };
        if ours {
            out.push(row);
        }
    }
    Ok(out)
}

/// Stores the key `ChangePassword` set, in place of the one that authenticated the call: sealed in the
/// organization's account, or for the installation's as an override of the configured key.
fn change_key(
    app: &App,
    c: &mut DbConn,
    account: &MerchantAccount,
    key: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let sealed = secrets_at_rest::seal(&app.auth().encryption_key, key.as_bytes())?;
    let which = Which::of(account);
    let Some(org) = &account.owner else {
        payment_keys::save(
            c,
            &KeyOverrideRow {
                provider: PROVIDER.as_str().into(),
                which: which.as_str().into(),
                secret_sealed: sealed,
                updated_at: now,
            },
        )?;
        return Ok(());
    };
    let scope = order_scope_of(org)?;
    let mut row = store::account(c, &scope, PROVIDER.as_str())?
        .ok_or_else(|| AppError::internal("the Payme account that authenticated the call is gone"))?;
    match which {
        Which::Secret => row.secret_sealed = sealed,
        Which::TestSecret => row.test_secret_sealed = Some(sealed),
    }
    row.updated_at = now;
    row.updated_by = None;
    store::save_account(c, &scope, &row)?;
    audit::append(
        c,
        &Record::new("payment_account.key_changed", "payment_account", &PROVIDER)
            .in_organization(org)
            .after(Some(
                serde_json::json!({ "provider": PROVIDER.as_str(), "key": which.as_str(), "by": "payme" }),
            ))
            .done(),
    )?;
    Ok(())
}

/// Keeps the receipt Payme fiscalised with the transaction, by its type (`PERFORM`, `CANCEL`).
fn store_fiscal_data(
    c: &mut DbConn,
    scope: &TenantScope,
    mut row: PaymentTxRow,
    p: &SetFiscalDataParams,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let mut all = row
        .fiscal_data
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Map<String, Value>>(s).ok())
        .unwrap_or_default();
    let kind = match p.kind {
        FiscalType::Perform => "PERFORM",
        FiscalType::Cancel => "CANCEL",
    };
    all.insert(
        kind.into(),
        serde_json::to_value(&p.fiscal_data).map_err(AppError::internal)?,
    );
    row.fiscal_data = Some(Value::Object(all).to_string());
    row.updated_at = now;
    store::save(c, scope, &row)?;
    Ok(())
}

fn nonzero(ms: i64) -> Option<i64> {
    (ms != 0).then_some(ms)
}

fn to_row(t: &Transaction, previous: Option<&PaymentTxRow>, org: &str, now: NaiveDateTime) -> PaymentTxRow {
    PaymentTxRow {
        id: t.transaction.clone(),
        organization_id: org.to_owned(),
        order_id: t.order_id.clone(),
        provider: PROVIDER.as_str().into(),
        provider_tx_id: t.payme_id.to_string(),
        state: t.state.code().to_string(),
        amount: t.amount.get(),
        provider_time: Some(t.payme_time),
        create_time: t.create_time,
        perform_time: nonzero(t.perform_time),
        cancel_time: nonzero(t.cancel_time),
        reason: t.reason.map(|r| i64::from(r.code())),
        prepare_id: None,
        paydoc_id: None,
        fiscal_data: previous.and_then(|p| p.fiscal_data.clone()),
        created_at: previous.map_or(now, |p| p.created_at),
        updated_at: now,
    }
}

fn to_tx(r: &PaymentTxRow) -> Result<Transaction, AppError> {
    let bad = || AppError::internal(format!("stored Payme transaction {} is unreadable", r.id));
    let state = r
        .state
        .parse::<i8>()
        .ok()
        .and_then(|n| TxState::try_from(n).ok())
        .ok_or_else(bad)?;
    let reason = r
        .reason
        .map(|n| {
            i8::try_from(n)
                .ok()
                .and_then(|n| CancelReason::try_from(n).ok())
                .ok_or_else(bad)
        })
        .transpose()?;
    Ok(Transaction {
        payme_id: PaymeTxId::parse(&r.provider_tx_id).map_err(|_| bad())?,
        transaction: r.id.clone(),
        order_id: r.order_id.clone(),
        payme_time: r.provider_time.unwrap_or(0),
        amount: Tiyin::new(r.amount),
        state,
        create_time: r.create_time,
        perform_time: r.perform_time.unwrap_or(0),
        cancel_time: r.cancel_time.unwrap_or(0),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_survives_its_row() {
        let t = Transaction {
            payme_id: PaymeTxId::parse("5305e3bab097f420a62ced0b").unwrap(),
            transaction: "0190b1a2-0000-7000-8000-000000000002".into(),
            order_id: "0190b1a2-0000-7000-8000-000000000001".into(),
            payme_time: 1_700_000_000_000,
            amount: Tiyin::new(500_000),
            state: TxState::CancelledAfterPerform,
            create_time: 1_700_000_000_100,
            perform_time: 1_700_000_000_200,
            cancel_time: 1_700_000_000_300,
            reason: Some(CancelReason::Refund),
        };
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc();
        let row = to_row(&t, None, "org", now);
        assert_eq!(row.state, "-2");
        assert_eq!(row.reason, Some(5));
        assert_eq!(to_tx(&row).unwrap(), t);
        let fresh = Transaction {
            state: TxState::Created,
            perform_time: 0,
            cancel_time: 0,
            reason: None,
            ..t
        };
        let row = to_row(&fresh, None, "org", now);
        assert_eq!(
            (row.perform_time, row.cancel_time, row.reason),
            (None, None, None)
        );
        assert_eq!(to_tx(&row).unwrap(), fresh);
    }

    #[test]
    fn metrics_label_only_known_methods() {
        assert_eq!(method_label(br#"{"method":"GetStatement"}"#), "GetStatement");
        assert_eq!(method_label(br#"{"method":"DropTables"}"#), "unknown");
        assert_eq!(method_label(b"{nope"), "unknown");
    }
}
