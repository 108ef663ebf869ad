//! Cash collections: lists, totals per machine or operator over a period, and a manager's confirmation.

use serde::Serialize;
use vendhub_domain::ids::CashCollectionId;
use vendhub_store::audit;
use vendhub_store::cash_collections::{self, CollectionFilter, CollectionRow};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollectionView {
    pub id: String,
    pub machine_id: String,
    pub operator_id: Option<String>,
    pub task_id: Option<String>,
    /// Tiyin.
    pub counted: i64,
    /// Tiyin: cash sales since the previous collection.
    pub expected: i64,
    /// Tiyin: counted − expected (negative: short).
    pub over_short: i64,
    pub bag_number: Option<String>,
    pub period_from: Option<chrono::DateTime<chrono::Utc>>,
    pub collected_at: chrono::DateTime<chrono::Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn view(r: CollectionRow) -> CollectionView {
    CollectionView {
        id: r.id,
        machine_id: r.machine_id,
        operator_id: r.operator_id,
        task_id: r.task_id,
        counted: r.counted,
        expected: r.expected,
        over_short: r.over_short,
        bag_number: r.bag_number,
        period_from: r.period_from.map(|t| t.and_utc()),
        collected_at: r.collected_at.and_utc(),
        confirmed_by: r.confirmed_by,
        confirmed_at: r.confirmed_at.map(|t| t.and_utc()),
    }
}

/// Sums over one machine or operator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollectionTotal {
    /// The machine's or operator's id.
    pub key: String,
    pub collections: i64,
    pub counted: i64,
    pub expected: i64,
    pub over_short: i64,
}

/// Which collections to list or total.
#[derive(Debug, Clone, Default)]
pub struct CollectionQuery {
    /// Kept as given: an id that is not a machine's matches no collection (empty, not refused).
    pub machine_id: Option<String>,
    /// Kept as given, like `machine_id`.
    pub operator_id: Option<String>,
    /// Collected at or after.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Collected before.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub confirmed: Option<bool>,
}

impl CollectionQuery {
    fn filter(&self) -> CollectionFilter {
        CollectionFilter {
            machine_id: self.machine_id.clone(),
            operator_id: self.operator_id.clone(),
            from: self.from.map(|t| t.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
            confirmed: self.confirmed,
        }
    }
}

/// What to group totals by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Machine,
    Operator,
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    query: CollectionQuery,
    page: PageRequest,
) -> Result<Paged<CollectionView>, AppError> {
    let scope = who.scope().clone();
    let filter = query.filter();
    let (rows, total) = app
        .db()
        .run(move |c| cash_collections::list(c, &scope, &filter, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(rows.into_iter().map(view).collect(), page, total))
}

/// Totals per machine or operator of the collections matching the filter.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn totals(
    app: &App,
    who: &Principal,
    query: CollectionQuery,
    by: GroupBy,
) -> Result<Vec<CollectionTotal>, AppError> {
    let scope = who.scope().clone();
    let filter = query.filter();
    let (rows, _) = app
        .db()
        .run(move |c| cash_collections::list(c, &scope, &filter, 0, i64::MAX))
        .await?;
    let mut out: Vec<CollectionTotal> = Vec::new();
    for r in rows {
        let key = match by {
            GroupBy::Machine => r.machine_id.clone(),
            GroupBy::Operator => r.operator_id.clone().unwrap_or_default(),
        };
        let idx = if let Some(i) = out.iter().position(|t| t.key == key) {
            i
        } else {
            out.push(CollectionTotal {
                key,
                collections: 0,
                counted: 0,
                expected: 0,
                over_short: 0,
            });
            out.len() - 1
        };
        let t = &mut out[idx];
        t.collections += 1;
        t.counted = t.counted.saturating_add(r.counted);
        t.expected = t.expected.saturating_add(r.expected);
        t.over_short = t.over_short.saturating_add(r.over_short);
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// A manager confirms the cash was received (once).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn confirm(
    app: &App,
    who: &Principal,
    id: CashCollectionId,
    meta: &RequestMeta,
) -> Result<CollectionView, AppError> {
    let id = id.to_string();
    let (who2, meta) = (who.clone(), meta.clone());
    let row = app
        .write(move |c| {
            let scope = who2.scope();
            let Some(r) = cash_collections::get(c, scope, &id)? else {
                return Err(AppError::NotFound);
            };
            let now = vendhub_store::now();
            if !cash_collections::confirm(c, scope, &r.id, &who2.user_id().to_string(), now)? {
                return Err(AppError::Conflict("the collection is confirmed already".into()));
            }
            audit::append(
                c,
                &Record::new("cash_collection.confirm", "cash_collection", &r.id)
                    .by(&who2)
                    .from(&meta)
                    .done(),
            )?;
            cash_collections::get(c, scope, &r.id)?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(view(row))
}
