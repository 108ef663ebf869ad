//! Sales as machines, DEX audits, orders and imports report them. A sale is unique by
//! (machine, source, source id), so a report that arrives twice is recorded once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::sales;
use crate::scope::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sales)]
pub struct SaleRow {
    pub id: String,
    pub organization_id: String,
    pub machine_id: String,
    pub slot_code: Option<String>,
    pub product_id: Option<String>,
    /// Tiyin per unit.
    pub unit_price: i64,
    pub quantity: i64,
    /// Tiyin: `unit_price × quantity`.
    pub amount: i64,
    /// `cash`, `card`, `payme`, `click`, `uzum`, `telegram`, `free`, `test`.
    pub payment_method: String,
    /// `telemetry`, `dex`, `order`, `import`.
    pub source: String,
    /// The reporter's own id of the sale (a vend event id, a DEX audit and selection, an order id).
    pub source_id: String,
    /// Set when something about the sale needs a look, e.g. `empty_slot`.
    pub flag: Option<String>,
    pub sold_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Whether the sale was new.
pub fn exists(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    source: &str,
    source_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = sales::table
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::machine_id.eq(machine))
        .filter(sales::source.eq(source))
        .filter(sales::source_id.eq(source_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records a sale; `Ok(false)` when the same (machine, source, source id) is recorded already. Call it inside
/// the write transaction that posts the sale's stock movement.
pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &SaleRow) -> Result<bool, StoreError> {
    scope.check(&row.organization_id)?;
    if exists(conn, scope, &row.machine_id, &row.source, &row.source_id)? {
        return Ok(false);
    }
    match diesel::insert_into(sales::table).values(row).execute(conn) {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from_write(e) {
            StoreError::Conflict(_) => Ok(false),
            other => Err(other),
        },
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct SaleFilter {
    pub machine_id: Option<String>,
    pub product_id: Option<String>,
    pub payment_method: Option<String>,
    pub source: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// One page of sales, newest first, and the total.
pub fn list(
    conn: &mut DbConn,
    scope: &TenantScope,
    f: &SaleFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<SaleRow>, i64), StoreError> {
    let build = || {
        let mut q = sales::table
            .filter(sales::organization_id.eq(scope.org()))
            .into_boxed();
        if let Some(m) = &f.machine_id {
            q = q.filter(sales::machine_id.eq(m.clone()));
        }
        if let Some(p) = &f.product_id {
            q = q.filter(sales::product_id.eq(p.clone()));
        }
        if let Some(p) = &f.payment_method {
            q = q.filter(sales::payment_method.eq(p.clone()));
        }
        if let Some(s) = &f.source {
            q = q.filter(sales::source.eq(s.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(sales::sold_at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(sales::sold_at.lt(t));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order((sales::sold_at.desc(), sales::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(SaleRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The sum of cash sales of a machine in `[from, to)` (tiyin); `from = None` means since the first sale.
pub fn cash_total(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    from: Option<NaiveDateTime>,
    to: NaiveDateTime,
) -> Result<i64, StoreError> {
    let mut q = sales::table
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::machine_id.eq(machine))
        .filter(sales::payment_method.eq("cash"))
        .filter(sales::sold_at.lt(to))
        .into_boxed();
    if let Some(f) = from {
        q = q.filter(sales::sold_at.ge(f));
    }
    let amounts: Vec<i64> = q.select(sales::amount).load(conn)?;
    Ok(amounts.iter().fold(0_i64, |a, b| a.saturating_add(*b)))
}

/// Units sold per (slot, product) of a machine since `from`, for the pre-kit estimate of slots whose
/// balance is unknown.
pub fn units_per_slot(
    conn: &mut DbConn,
    scope: &TenantScope,
    machine: &str,
    from: NaiveDateTime,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows: Vec<(Option<String>, Option<String>, i64)> = sales::table
        .filter(sales::organization_id.eq(scope.org()))
        .filter(sales::machine_id.eq(machine))
        .filter(sales::sold_at.ge(from))
        .select((sales::slot_code, sales::product_id, sales::quantity))
        .load(conn)?;
    let mut sums: std::collections::BTreeMap<(String, String), i64> = std::collections::BTreeMap::new();
    for (slot, product, qty) in rows {
        if let (Some(slot), Some(product)) = (slot, product) {
            let e = sums.entry((slot, product)).or_default();
            *e = e.saturating_add(qty);
        }
    }
    Ok(sums.into_iter().map(|((s, p), q)| (s, p, q)).collect())
}
