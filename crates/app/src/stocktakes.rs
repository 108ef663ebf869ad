//! Stocktakes: count what a holder really has, then close: each difference against the ledger becomes an
//! adjustment movement valued at average cost, reported as shortage or surplus of the holder and of the
//! person responsible (the operator for an operator's stock, the counter otherwise).

use serde::Serialize;
use vendhub_domain::ids::{ProductId, StocktakeId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::stock::{Count, Discrepancy, Holder, MovementKind, Qty, stocktake};
use vendhub_store::stock;
use vendhub_store::stocktakes::{self, LineRow, StocktakeRow};
use vendhub_store::{DbConn, StoreError, TenantScope, audit, products};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::stock::ledger::{self, Movement, Reason, Reference, Route};
use crate::{App, AppError};

/// A stocktake is open while counts are entered, then closed (its differences booked).
pub const STATUSES: [&str; 2] = ["open", "closed"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountView {
    pub product_id: String,
    pub counted: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DifferenceView {
    pub product_id: String,
    /// shortage or surplus.
    pub discrepancy: String,
    pub quantity: i64,
    /// At average cost, tiyin.
    pub value: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StocktakeView {
    pub id: String,
    pub holder: String,
    /// open or closed.
    pub status: String,
    pub started_by: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub counts: Vec<CountView>,
    /// Filled when closed.
    pub differences: Vec<DifferenceView>,
    /// Who answers for the differences: the operator holding the stock, or who counted.
    pub responsible: Option<String>,
    pub shortage_value: i64,
    pub surplus_value: i64,
}

fn view(s: StocktakeRow, lines: Vec<LineRow>, differences: Vec<DifferenceView>) -> StocktakeView {
    let responsible = match s.holder.parse::<Holder>() {
        Ok(Holder::Operator(u)) => Some(u.to_string()),
        _ => s.started_by.clone(),
    };
    let sum = |kind: &str| {
        differences
            .iter()
            .filter(|d| d.discrepancy == kind)
            .map(|d| d.value)
            .sum()
    };
    StocktakeView {
        shortage_value: sum("shortage"),
        surplus_value: sum("surplus"),
        id: s.id,
        holder: s.holder,
        status: s.status,
        started_by: s.started_by,
        started_at: s.started_at.and_utc(),
        closed_at: s.closed_at.map(|t| t.and_utc()),
        counts: lines
            .into_iter()
            .map(|l| CountView {
                product_id: l.product_id,
                counted: l.counted,
            })
            .collect(),
        differences,
        responsible,
    }
}

/// Differences recorded by a closed stocktake (its adjustment movements).
fn recorded_differences(
    c: &mut DbConn,
    scope: &TenantScope,
    id: &str,
) -> Result<Vec<DifferenceView>, StoreError> {
    let filter = stock::MovementFilter {
        kind: Some("adjustment".into()),
        ..Default::default()
    };
    let (rows, _) = stock::movements(c, scope, &filter, 0, 10_000)?;
    Ok(rows
        .into_iter()
        .filter(|m| m.reference_id.as_deref() == Some(id))
        .map(|m| DifferenceView {
            discrepancy: if m.from_holder.is_some() {
                "shortage"
            } else {
                "surplus"
            }
            .into(),
            value: m.quantity.saturating_mul(m.unit_cost),
            product_id: m.product_id,
            quantity: m.quantity,
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn start(
    app: &App,
    who: &Principal,
    holder: Holder,
    meta: &RequestMeta,
) -> Result<StocktakeView, AppError> {
    let row = StocktakeRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        holder: holder.to_string(),
        status: "open".into(),
        started_by: Some(who.user_id().to_string()),
        started_at: app.now(),
        closed_at: None,
        task_id: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        match ledger::holder_exists(c, who2.scope(), &holder) {
            Err(AppError::NotFound) => {
                return Err(AppError::Validation(vec![FieldError::new(
                    "holder",
                    "no such holder",
                )]));
            }
            other => other?,
        }
        stocktakes::insert(c, who2.scope(), &stored)?;
        audit::append(
            c,
            &Record::new("stocktake.start", "stocktake", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(Some(serde_json::json!({ "holder": stored.holder })))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(view(row, Vec::new(), Vec::new()))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: StocktakeId) -> Result<StocktakeView, AppError> {
    let scope = who.scope().clone();
    let found = app
        .db()
        .run(move |c| {
            let Some(s) = stocktakes::get(c, &scope, &id.to_string())? else {
                return Ok(None);
            };
            let lines = stocktakes::lines(c, &scope, &s.id)?;
            let diffs = recorded_differences(c, &scope, &s.id)?;
            Ok(Some((s, lines, diffs)))
        })
        .await?;
    let (s, lines, diffs) = found.ok_or(AppError::NotFound)?;
    Ok(view(s, lines, diffs))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal) -> Result<Vec<StocktakeView>, AppError> {
    let scope = who.scope().clone();
    let rows = app.db().run(move |c| stocktakes::list(c, &scope)).await?;
    Ok(rows
        .into_iter()
        .map(|s| view(s, Vec::new(), Vec::new()))
        .collect())
}

/// Records counts (a later count of the same product replaces the earlier one).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn count(
    app: &App,
    who: &Principal,
    id: StocktakeId,
    counts: Vec<(String, i64)>,
) -> Result<StocktakeView, AppError> {
    let mut errors = Vec::new();
    for (i, (product, n)) in counts.iter().enumerate() {
        if product.parse::<ProductId>().is_err() {
            errors.push(FieldError::new(
                format!("counts[{i}].product_id"),
                "no such product",
            ));
        }
        if Qty::new(*n).is_err() {
            errors.push(FieldError::new(
                format!("counts[{i}].counted"),
                "must not be negative",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (scope, user) = (who.scope().clone(), who.user_id().to_string());
    app.write(move |c| {
        let Some(s) = stocktakes::get(c, &scope, &id.to_string())? else {
            return Err(AppError::NotFound);
        };
        if s.status != "open" {
            return Err(AppError::Conflict("the stocktake is closed".into()));
        }
        for (product, n) in &counts {
            if products::get(c, &scope, product)?.is_none() {
                return Err(AppError::Validation(vec![FieldError::new(
                    "counts",
                    format!("no such product {product}"),
                )]));
            }
            stocktakes::count(
                c,
                &scope,
                &LineRow {
                    stocktake_id: s.id.clone(),
                    product_id: product.clone(),
                    counted: *n,
                    counted_by: Some(user.clone()),
                },
            )?;
        }
        Ok(())
    })
    .await?;
    get(app, who, id).await
}

/// Closes the stocktake: differences become adjustment movements, in one transaction.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn close(
    app: &App,
    who: &Principal,
    id: StocktakeId,
    meta: &RequestMeta,
) -> Result<StocktakeView, AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    // Any refusal rolls the whole close back, the closed mark included.
    app.write(move |c| {
        let Some(s) = stocktakes::get(c, who2.scope(), &id.to_string())? else {
            return Err(AppError::NotFound);
        };
        let adjustments = close_in(c, who2.scope(), &s, &who2.user_id().to_string())?;
        audit::append(
            c,
            &Record::new("stocktake.close", "stocktake", &s.id)
                .by(&who2)
                .from(&meta)
                .after(Some(serde_json::json!({ "adjustments": adjustments })))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    get(app, who, id).await
}

/// Closes an open stocktake inside the caller's write transaction: its differences against the ledger
/// become adjustment movements at average cost (referencing the stocktake). Returns how many; any
/// refusal is an error, so the caller's transaction rolls back whole.
pub(crate) fn close_in(
    c: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    s: &StocktakeRow,
    actor: &str,
) -> Result<usize, AppError> {
    if !stocktakes::close(c, scope, &s.id)? {
        return Err(AppError::Conflict("the stocktake is closed already".into()));
    }
    let holder: Holder = s
        .holder
        .parse()
        .map_err(|_| StoreError::Corrupt("stocktake holder".into()))?;
    let mut counts = Vec::new();
    // The holder's balances, read once (a prefix match: keep the exact holder only).
    let balances: Vec<_> = stock::balances(c, scope, &s.holder, true)?
        .into_iter()
        .filter(|b| b.holder == s.holder)
        .collect();
    for l in stocktakes::lines(c, scope, &s.id)? {
        let (ledger, avg) = balances
            .iter()
            .find(|b| b.product_id == l.product_id)
            .map_or((0, 0), |b| (b.quantity, b.avg_cost));
        let product: ProductId = l
            .product_id
            .parse()
            .map_err(|_| StoreError::Corrupt("product id".into()))?;
        let q = |v: i64| Qty::new(v).map_err(|e| StoreError::Corrupt(e.to_string()));
        counts.push(Count {
            product,
            counted: q(l.counted)?,
            ledger: q(ledger)?,
            unit_cost: Tiyin::new(avg),
        });
    }
    let adjustments = match stocktake(&counts) {
        Ok(a) => a,
        Err(e) => return Err(crate::error::Rule::StocktakeInvalid.refuse(e.to_string())),
    };
    for a in &adjustments {
        let (from, to) = a.route(&holder);
        let route = Route::new(MovementKind::Adjustment, from.cloned(), to.cloned())
            .map_err(|e| StoreError::Corrupt(format!("adjustment route: {e}")))?;
        let reason = match a.discrepancy {
            Discrepancy::Shortage => Reason::Shortage,
            Discrepancy::Surplus => Reason::Surplus,
        };
        // Not capacity-checked: a count is what the holder has.
        let m = Movement::new(route, a.product, a.difference, vendhub_store::now())
            .cost(Tiyin::new(
                a.value.get().checked_div(a.difference.get()).unwrap_or(0),
            ))
            .reason(reason)
            .reference(Reference::Stocktake(s.id.clone()))
            .by(actor.parse().ok());
        ledger::post(c, scope, &m)?;
    }
    Ok(adjustments.len())
}
