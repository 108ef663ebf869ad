//! The dashboard's figures, each one aggregate query over an organization's rows (sums and counts are
//! computed by the database, not by loading rows). Every function takes the caller's [`TenantScope`].

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{machines, planogram_slots, products, sales, tasks};
use crate::scope::TenantScope;
use crate::tasks::OPEN;

/// `SUM(column)` as a BIGINT on both backends (PostgreSQL sums BIGINT into NUMERIC), 0 when no rows.
fn sum_of(column: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

/// (sales, tiyin) of the sales in `[from, to)`.
pub fn sales_between(
    conn: &mut DbConn,
    scope: &TenantScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<(i64, i64), StoreError> {
    Ok(sales::table
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::sold_at.ge(from))
        .filter(sales::sold_at.lt(to))
        .select((count_star(), sum_of("sales.amount")))
        .get_result(conn)?)
}

/// (payment method, sales, tiyin) of the sales in `[from, to)`, the largest amount first.
pub fn sales_by_payment_method(
    conn: &mut DbConn,
    scope: &TenantScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(sales::table
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::sold_at.ge(from))
        .filter(sales::sold_at.lt(to))
        .group_by(sales::payment_method)
        .select((sales::payment_method, count_star(), sum_of("sales.amount")))
        .order((sql::<BigInt>("3").desc(), sales::payment_method.asc()))
        .load(conn)?)
}

/// A product's sales: (product, name uz, ru, en, units, tiyin).
pub type ProductSales = (String, String, String, String, i64, i64);

/// The best-selling products in `[from, to)` by amount.
pub fn top_products(
    conn: &mut DbConn,
    scope: &TenantScope,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> Result<Vec<ProductSales>, StoreError> {
    Ok(sales::table
        .inner_join(products::table.on(products::id.nullable().eq(sales::product_id)))
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::sold_at.ge(from))
        .filter(sales::sold_at.lt(to))
        .group_by((
            products::id,
            products::name_uz,
            products::name_ru,
            products::name_en,
        ))
        .select((
            products::id,
            products::name_uz,
            products::name_ru,
            products::name_en,
            sum_of("sales.quantity"),
            sum_of("sales.amount"),
        ))
        .order((sql::<BigInt>("6").desc(), products::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// Machines (not deleted) per status.
pub fn machines_by_status(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .group_by(machines::status)
        .select((machines::status, count_star()))
        .load(conn)?)
}

/// A machine as the dashboard lists it: id, number, name, status, last heard from.
pub type MachineBrief = (String, String, String, String, Option<NaiveDateTime>);

/// Machines (not deleted) in one of `statuses`, by number.
pub fn machines_in_status(
    conn: &mut DbConn,
    scope: &TenantScope,
    statuses: &[&str],
) -> Result<Vec<MachineBrief>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .filter(machines::status.eq_any(statuses))
        .order(machines::number.asc())
        .select((
            machines::id,
            machines::number,
            machines::name,
            machines::status,
            machines::last_seen_at,
        ))
        .load(conn)?)
}

/// Machines (not deleted) with slots below `percent` % of their par level, a missing balance counting
/// as empty (as the low-stock list counts it): the machine and its number of low slots, by number.
pub fn machines_low_on_stock(
    conn: &mut DbConn,
    scope: &TenantScope,
    percent: u8,
) -> Result<Vec<(MachineBrief, i64)>, StoreError> {
    let below = sql::<Bool>(&format!(
        "COALESCE((SELECT b.quantity FROM stock_balances b \
         WHERE b.organization_id = planogram_slots.organization_id \
         AND b.holder = 'slot:' || planogram_slots.machine_id || ':' || planogram_slots.code \
         AND b.product_id = planogram_slots.product_id), 0) * 100 < planogram_slots.par_level * {percent}"
    ));
    Ok(planogram_slots::table
        .inner_join(machines::table)
        .filter(planogram_slots::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .filter(below)
        .group_by((
            machines::id,
            machines::number,
            machines::name,
            machines::status,
            machines::last_seen_at,
        ))
        .select((
            (
                machines::id,
                machines::number,
                machines::name,
                machines::status,
                machines::last_seen_at,
            ),
            count_star(),
        ))
        .order(machines::number.asc())
        .load(conn)?)
}

/// (open tasks, open tasks due before `now`).
pub fn open_tasks(
    conn: &mut DbConn,
    scope: &TenantScope,
    now: NaiveDateTime,
) -> Result<(i64, i64), StoreError> {
    let open: i64 = tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::status.eq_any(OPEN))
        .count()
        .get_result(conn)?;
    let overdue: i64 = tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::status.eq_any(OPEN))
        .filter(tasks::due_at.lt(now))
        .count()
        .get_result(conn)?;
    Ok((open, overdue))
}

/// An overdue task as the dashboard lists it: id, number, title, machine, due at.
pub type TaskBrief = (String, String, String, String, Option<NaiveDateTime>);

/// The open tasks due before `now`, the longest overdue first.
pub fn overdue_tasks(
    conn: &mut DbConn,
    scope: &TenantScope,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<TaskBrief>, StoreError> {
    Ok(tasks::table
        .filter(tasks::organization_id.eq(scope.org()))
        .filter(tasks::status.eq_any(OPEN))
        .filter(tasks::due_at.lt(now))
        .order((tasks::due_at.asc(), tasks::id.asc()))
        .limit(limit)
        .select((
            tasks::id,
            tasks::number,
            tasks::title,
            tasks::machine_id,
            tasks::due_at,
        ))
        .load(conn)?)
}

/// The cash the machines (not deleted) hold by the sales: per machine, its cash sales since its latest
/// collection that still counts, as a collection computes its expected amount; summed over the fleet.
/// One index range per machine (`sales (machine_id, sold_at)`).
pub fn cash_expected(conn: &mut DbConn, scope: &TenantScope) -> Result<i64, StoreError> {
    let per_machine = "(SELECT COALESCE(SUM(s.amount), 0) FROM sales s \
        WHERE s.machine_id = machines.id AND s.payment_method = 'cash' \
        AND s.sold_at >= COALESCE((SELECT MAX(c.collected_at) FROM cash_collections c \
        WHERE c.machine_id = machines.id AND c.reversed_at IS NULL), '1970-01-01 00:00:00'))";
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::deleted_at.is_null())
        .select(sum_of(per_machine))
        .get_result(conn)?)
}

/// (machine id, number) of the machines in scope among `ids` (deleted ones too: a collection keeps its
/// machine's number).
pub fn machine_numbers(
    conn: &mut DbConn,
    scope: &TenantScope,
    ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(machines::table
        .filter(machines::organization_id.eq(scope.org()))
        .filter(machines::id.eq_any(ids))
        .select((machines::id, machines::number))
        .load(conn)?)
}
