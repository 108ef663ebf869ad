//! `/api/v1/cash-collections`: collections with over/short, totals per machine or operator, confirmation.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vendhub_app::AppError;
use vendhub_app::cash_collections::{self, CollectionTotal, CollectionView, GroupBy};
use vendhub_app::error::FieldError;
use vendhub_app::paging::{PageRequest, Paged};

use crate::HttpState;
use crate::extract::{Allowed, Meta, perm};
use crate::params::{Path, Query};
use crate::problem::{ApiError, Problem};
use vendhub_domain::ids::CashCollectionId;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(totals))
        .routes(routes!(confirm))
}

#[derive(Deserialize, IntoParams)]
pub struct CollectionQuery {
    page: Option<i64>,
    limit: Option<i64>,
    machine_id: Option<String>,
    operator_id: Option<String>,
    /// RFC 3339; from (inclusive) and to (exclusive).
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
    confirmed: Option<bool>,
    /// Totals only: `machine` (default) or `operator`.
    group_by: Option<String>,
}

fn filter(q: &CollectionQuery) -> cash_collections::CollectionQuery {
    cash_collections::CollectionQuery {
        machine_id: q.machine_id.clone(),
        operator_id: q.operator_id.clone(),
        from: q.from,
        to: q.to,
        confirmed: q.confirmed,
    }
}

/// Cash collections, newest first: counted, expected (cash sales since the previous collection), over/short.
#[utoipa::path(get, path = "/api/v1/cash-collections", tag = "cash", params(CollectionQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [CollectionView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("collections_review"))))]
async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::CollectionsReview>,
    Query(q): Query<CollectionQuery>,
) -> Result<axum::Json<Paged<CollectionView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    Ok(axum::Json(
        cash_collections::list(&s.app, &who, filter(&q), page).await?,
    ))
}

/// Totals (counted, expected, over/short) per machine or per operator over a period.
#[utoipa::path(get, path = "/api/v1/cash-collections/totals", tag = "cash", params(CollectionQuery), security(("bearer" = [])),
    responses((status = 200, body = [CollectionTotal]), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("collections_review"))))]
async fn totals(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::CollectionsReview>,
    Query(q): Query<CollectionQuery>,
) -> Result<axum::Json<Vec<CollectionTotal>>, ApiError> {
    let by = match q.group_by.as_deref() {
        None | Some("machine") => GroupBy::Machine,
        Some("operator") => GroupBy::Operator,
        Some(_) => {
            return Err(AppError::Validation(vec![FieldError::new(
                "group_by",
                "must be machine or operator",
            )])
            .into());
        }
    };
    Ok(axum::Json(
        cash_collections::totals(&s.app, &who, filter(&q), by).await?,
    ))
}

/// Confirm the cash was received (once).
#[utoipa::path(post, path = "/api/v1/cash-collections/{id}/confirm", tag = "cash", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = CollectionView), (status = 404, body = Problem), (status = 409, body = Problem)),
    extensions(("x-permission" = json!("collections_review"))))]
async fn confirm(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::CollectionsReview>,
    Meta(meta): Meta,
    Path(id): Path<CashCollectionId>,
) -> Result<axum::Json<CollectionView>, ApiError> {
    Ok(axum::Json(
        cash_collections::confirm(&s.app, &who, id, &meta).await?,
    ))
}
