//! The machine list: its query parsed at the edge into domain types, filtered, sorted and paged.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::machines::{self, MachineQuery, MachineSort, MachineView};
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_domain::ids::{LocationId, UserId};
use vendhub_domain::machine::{MachineStatus, MachineType};

use crate::HttpState;
use crate::extract::{Allowed, perm};
use crate::params::Query;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub(crate) page: Option<i64>,
    pub(crate) limit: Option<i64>,
    status: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    machine_type: Option<String>,
    /// A location's id (a UUID; another value is refused with 400).
    #[param(format = Uuid)]
    location_id: Option<String>,
    /// The assigned operator's user id (a UUID; another value is refused with 400).
    #[param(format = Uuid)]
    operator_id: Option<String>,
    /// Search in number, name and serial number.
    q: Option<String>,
    /// `number`, `name`, `status` or `created_at`; `-` first for descending.
    sort: Option<String>,
}

/// The list's query in domain types; every value that does not parse is named, together.
pub(crate) fn list_query(q: ListQuery) -> Result<MachineQuery, AppError> {
    let mut problems = Vec::new();
    let status = q.status.as_deref().and_then(|s| {
        let status = MachineStatus::parse(s);
        if status.is_none() {
            problems.push(FieldError::new(
                "status",
                format!(
                    "must be one of {}",
                    MachineStatus::ALL.map(MachineStatus::as_str).join(", ")
                ),
            ));
        }
        status
    });
    let machine_type = q.machine_type.as_deref().and_then(|t| {
        let machine_type = MachineType::parse(t);
        if machine_type.is_none() {
            problems.push(FieldError::new(
                "type",
                format!(
                    "must be one of {}",
                    MachineType::ALL.map(MachineType::as_str).join(", ")
                ),
            ));
        }
        machine_type
    });
    let location_id = q.location_id.as_deref().and_then(|l| {
        let location_id = l.parse::<LocationId>().ok();
        if location_id.is_none() {
            problems.push(FieldError::new("location_id", "not a UUID"));
        }
        location_id
    });
    let operator_id = q.operator_id.as_deref().and_then(|o| {
        let operator_id = o.parse::<UserId>().ok();
        if operator_id.is_none() {
            problems.push(FieldError::new("operator_id", "not a UUID"));
        }
        operator_id
    });
    let sort = q.sort.as_deref().unwrap_or("number");
    let (sort, descending) = match sort.strip_prefix('-') {
        Some(s) => (s, true),
        None => (sort, false),
    };
    let sort = MachineSort::parse(sort).unwrap_or_else(|| {
        problems.push(FieldError::new(
            "sort",
            "must be number, name, status or created_at (prefix - for descending)",
        ));
        MachineSort::default()
    });
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    Ok(MachineQuery {
        status,
        machine_type,
        location_id,
        operator_id,
        q: q.q.filter(|s| !s.trim().is_empty()),
        sort,
        descending,
    })
}

/// Machines, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, description = "`{data: [MachineView], meta}`"), (status = 400, body = Problem)),
    extensions(("x-permission" = json!("fleet_read"))))]
pub(super) async fn list(
    State(s): State<HttpState>,
    Allowed(who, ..): Allowed<perm::FleetRead>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Paged<MachineView>>, ApiError> {
    let page = PageRequest::parse(q.page, q.limit)?;
    let query = list_query(q)?;
    Ok(axum::Json(machines::list(&s.app, &who, query, page).await?))
}
