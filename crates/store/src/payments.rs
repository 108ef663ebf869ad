//! Payment providers' transactions (unique per provider on the provider's own id), the log of every call a
//! provider made with our answer, an organization's own merchant accounts, and the counter that numbers
//! Click's `merchant_prepare_id`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{payment_accounts, payment_calls, payment_counters, payment_transactions};
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payment_transactions)]
#[diesel(treat_none_as_null = true)]
pub struct PaymentTxRow {
    /// Our id of the transaction (Payme's `transaction` in our answers).
    pub id: String,
    pub organization_id: String,
    pub order_id: String,
    /// `payme`, `click`, `uzum`.
    pub provider: String,
    /// The provider's id: Payme's `id`, Click's `click_trans_id`, Uzum's `transId`.
    pub provider_tx_id: String,
    /// The provider's state as text: Payme `1`, `2`, `-1`, `-2`; Click `prepared`, `confirmed`,
    /// `cancelled`; Uzum `created`, `confirmed`, `reversed`, `failed`.
    pub state: String,
    pub amount: i64,
    /// Payme's own creation time (`params.time`, ms).
    pub provider_time: Option<i64>,
    /// Unix ms.
    pub create_time: i64,
    pub perform_time: Option<i64>,
    pub cancel_time: Option<i64>,
    /// Payme's cancel reason.
    pub reason: Option<i64>,
    /// Click's `merchant_prepare_id`.
    pub prepare_id: Option<i64>,
    /// Click's `click_paydoc_id`.
    pub paydoc_id: Option<i64>,
    /// A receipt the provider fiscalised (Payme `SetFiscalData`), JSON.
    pub fiscal_data: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Across organizations: a provider's transaction by the provider's own id. The caller checks the row's
/// organization against the merchant account that authenticated the call, and treats another's as absent.
pub fn find_by_provider_id(
    conn: &mut DbConn,
    provider: &str,
    provider_tx_id: &str,
) -> Result<Option<PaymentTxRow>, StoreError> {
    Ok(payment_transactions::table
        .filter(payment_transactions::provider.eq(provider))
        .filter(payment_transactions::provider_tx_id.eq(provider_tx_id))
        .select(PaymentTxRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts or replaces the row with this id.
pub fn save(conn: &mut DbConn, scope: &TenantScope, row: &PaymentTxRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(
        payment_transactions::table
            .filter(payment_transactions::organization_id.eq(scope.org()))
            .filter(payment_transactions::id.eq(&row.id)),
    )
    .set(row)
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(payment_transactions::table)
            .values(row)
            .execute(conn)
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Every transaction of an order, oldest first.
pub fn for_order(
    conn: &mut DbConn,
    scope: &TenantScope,
    order: &str,
) -> Result<Vec<PaymentTxRow>, StoreError> {
    Ok(payment_transactions::table
        .filter(payment_transactions::organization_id.eq(scope.org()))
        .filter(payment_transactions::order_id.eq(order))
        .order(payment_transactions::created_at.asc())
        .select(PaymentTxRow::as_select())
        .load(conn)?)
}

/// A provider's transactions of the organization whose provider time (Payme's `time`) is within
/// `[from, to]`, for `GetStatement`.
pub fn by_provider_time(
    conn: &mut DbConn,
    scope: &TenantScope,
    provider: &str,
    from: i64,
    to: i64,
) -> Result<Vec<PaymentTxRow>, StoreError> {
    Ok(payment_transactions::table
        .filter(payment_transactions::organization_id.eq(scope.org()))
        .filter(payment_transactions::provider.eq(provider))
        .filter(payment_transactions::provider_time.ge(from))
        .filter(payment_transactions::provider_time.le(to))
        .order(payment_transactions::provider_time.asc())
        .select(PaymentTxRow::as_select())
        .load(conn)?)
}

/// Across organizations: a provider's transactions whose provider time is within `[from, to]`, ascending,
/// for `GetStatement` on the installation's account (the caller keeps those of the organizations that
/// account serves).
pub fn by_provider_time_any(
    conn: &mut DbConn,
    provider: &str,
    from: i64,
    to: i64,
) -> Result<Vec<PaymentTxRow>, StoreError> {
    Ok(payment_transactions::table
        .filter(payment_transactions::provider.eq(provider))
        .filter(payment_transactions::provider_time.ge(from))
        .filter(payment_transactions::provider_time.le(to))
        .order(payment_transactions::provider_time.asc())
        .select(PaymentTxRow::as_select())
        .load(conn)?)
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct TxFilter {
    pub provider: Option<String>,
    pub state: Option<String>,
    pub order_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// One page of transactions, newest first, and the total.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &TxFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PaymentTxRow>, i64), StoreError> {
    let build = || {
        let mut q = payment_transactions::table
            .filter(payment_transactions::organization_id.eq(scope.org()))
            .into_boxed();
        if let Some(p) = &f.provider {
            q = q.filter(payment_transactions::provider.eq(p.clone()));
        }
        if let Some(s) = &f.state {
            q = q.filter(payment_transactions::state.eq(s.clone()));
        }
        if let Some(o) = &f.order_id {
            q = q.filter(payment_transactions::order_id.eq(o.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(payment_transactions::created_at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(payment_transactions::created_at.lt(t));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order((
            payment_transactions::created_at.desc(),
            payment_transactions::id.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(PaymentTxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Across organizations: how many transactions there are per provider and state, for the
/// `vendhub_payments_total` gauge.
pub fn count_by_provider_state(conn: &mut DbConn) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(payment_transactions::table
        .group_by((payment_transactions::provider, payment_transactions::state))
        .select((
            payment_transactions::provider,
            payment_transactions::state,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_calls)]
pub struct PaymentCallRow {
    pub id: String,
    /// `None` when the call could not be tied to an organization (bad credentials, unknown order).
    pub organization_id: Option<String>,
    pub provider: String,
    /// Payme's method, Click's `prepare`/`complete`, Uzum's webhook name.
    pub method: String,
    pub order_id: Option<String>,
    pub provider_tx_id: Option<String>,
    /// The raw request body (secrets are never in it: providers authenticate in headers or signatures).
    pub request: String,
    pub response: String,
    pub http_status: i64,
    /// `ok`, or the provider's error code as text.
    pub outcome: String,
    pub received_at: NaiveDateTime,
}

/// Across organizations: records a provider's call and our answer; a call that could not be tied to an
/// organization is recorded without one (for the operators of the installation to see).
pub fn record_call(conn: &mut DbConn, row: &PaymentCallRow) -> Result<(), StoreError> {
    diesel::insert_into(payment_calls::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// The calls providers made about an order, oldest first.
pub fn calls_for_order(
    conn: &mut DbConn,
    scope: &TenantScope,
    order: &str,
) -> Result<Vec<PaymentCallRow>, StoreError> {
    Ok(payment_calls::table
        .filter(payment_calls::organization_id.eq(scope.org()))
        .filter(payment_calls::order_id.eq(order))
        .order(payment_calls::received_at.asc())
        .select(PaymentCallRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payment_accounts)]
#[diesel(treat_none_as_null = true)]
pub struct PaymentAccountRow {
    pub organization_id: String,
    pub provider: String,
    /// Payme's merchant id, Click's merchant id, Uzum's Basic-auth login.
    pub merchant_id: String,
    /// Click's and Uzum's service id.
    pub service_id: Option<String>,
    /// The secret key, sealed with `VENDHUB_ENCRYPTION_KEY`.
    pub secret_sealed: String,
    /// Payme's test key, sealed.
    pub test_secret_sealed: Option<String>,
    /// Click's Merchant API user id (for reversals).
    pub merchant_user_id: Option<String>,
    pub test_mode: bool,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// The organization's own account with a provider.
pub fn account(
    conn: &mut DbConn,
    scope: &TenantScope,
    provider: &str,
) -> Result<Option<PaymentAccountRow>, StoreError> {
    Ok(payment_accounts::table
        .filter(payment_accounts::organization_id.eq(scope.org()))
        .filter(payment_accounts::provider.eq(provider))
        .select(PaymentAccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// The organization's own accounts, by provider.
pub fn accounts(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<PaymentAccountRow>, StoreError> {
    Ok(payment_accounts::table
        .filter(payment_accounts::organization_id.eq(scope.org()))
        .order(payment_accounts::provider.asc())
        .select(PaymentAccountRow::as_select())
        .load(conn)?)
}

/// Inserts or replaces the organization's account with the row's provider.
pub fn save_account(
    conn: &mut DbConn,
    scope: &TenantScope,
    row: &PaymentAccountRow,
) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    let n = diesel::update(
        payment_accounts::table
            .filter(payment_accounts::organization_id.eq(scope.org()))
            .filter(payment_accounts::provider.eq(&row.provider)),
    )
    .set(row)
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(payment_accounts::table)
            .values(row)
            .execute(conn)
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Removes the organization's account with a provider; whether there was one.
pub fn delete_account(conn: &mut DbConn, scope: &TenantScope, provider: &str) -> Result<bool, StoreError> {
    let n = diesel::delete(
        payment_accounts::table
            .filter(payment_accounts::organization_id.eq(scope.org()))
            .filter(payment_accounts::provider.eq(provider)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Across organizations: the next value of an installation-wide counter (Click's `merchant_prepare_id` is
/// one number space for every merchant account). Call it inside a write transaction: the row is updated in
/// place (row-locked on PostgreSQL, under the single writer on SQLite), so no two callers get one value.
pub fn next_counter(conn: &mut DbConn, name: &str) -> Result<i64, StoreError> {
    let row = (
        payment_counters::name.eq(name),
        payment_counters::last_value.eq(0_i64),
    );
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(payment_counters::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(payment_counters::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    diesel::update(payment_counters::table.find(name))
        .set(payment_counters::last_value.eq(payment_counters::last_value + 1))
        .execute(conn)?;
    Ok(payment_counters::table
        .find(name)
        .select(payment_counters::last_value)
        .first(conn)?)
}
