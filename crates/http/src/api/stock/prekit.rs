//! `GET /api/v1/inventory/prekit`: what the chosen machines need to reach par, and the pick list.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::prekit::Prekit;

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Query;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, IntoParams)]
pub struct PrekitQuery {
    /// Comma-separated machine ids.
    machine_ids: Option<String>,
    /// Or: every machine this operator (user id) is assigned to — their route.
    operator_id: Option<String>,
    /// Or: the machines with an open refill task due on this day (`YYYY-MM-DD`, UTC); with
    /// `operator_id`, only the tasks assigned to that operator.
    date: Option<String>,
}

/// What each slot of the chosen machines needs to reach par, and the pick list per product. Slots whose
/// balance is unknown are estimated from the last 28 days of sales × days since the last refill.
#[utoipa::path(get, path = "/api/v1/inventory/prekit", tag = "inventory", params(PrekitQuery), security(("bearer" = [])),
    responses((status = 200, body = Prekit), (status = 400, body = Problem), (status = 404, body = Problem)),
    extensions(("x-permission" = json!("stock_read"))))]
pub(super) async fn prekit(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::StockRead>,
    Query(q): Query<PrekitQuery>,
) -> Result<axum::Json<Prekit>, ApiError> {
    use vendhub_app::prekit::Selection;
    let operator = q
        .operator_id
        .map(|op| {
            op.trim()
                .parse()
                .map_err(|_| AppError::Validation(vec![FieldError::new("operator_id", "must be a user id")]))
        })
        .transpose()?;
    let date = q
        .date
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::Validation(vec![FieldError::new("date", "must be a day as YYYY-MM-DD")])
            })
        })
        .transpose()?;
    let selection = match (q.machine_ids, operator, date) {
        (Some(ids), None, None) => Selection::Machines(
            ids.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse().map_err(|_| AppError::NotFound))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        (None, Some(op), None) => Selection::Operator(op),
        (None, op, Some(day)) => Selection::Day(day, op),
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "machine_ids",
                "give machine_ids, or operator_id and/or date",
            )])
            .into());
        }
    };
    Ok(axum::Json(
        vendhub_app::prekit::compute(&s.app, &who, selection).await?,
    ))
}
