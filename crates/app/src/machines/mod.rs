//! Machines: CRUD with filters, sorting and paging, the map, moves between locations (with history),
//! and the QR code that opens the machine's customer page.

mod activity;
mod moves;
mod qr;
mod query;

pub use activity::{DexAuditView, MachineActivity, RecentSale, TelemetryReading, activity};
pub use moves::{MapPoint, MoveView, map, move_to, moves};
pub use qr::qr_target;
pub use query::{MachineQuery, MachineSort};

use serde::Serialize;
use vendhub_domain::ids::{MachineId, UserId};
use vendhub_domain::machine::{MachineStatus, MachineType};
use vendhub_store::machines::{self, MachineRow};
use vendhub_store::{audit, locations, users};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::paging::{PageRequest, Paged};
use crate::ports::DomainEvent;
use crate::{App, AppError};

pub const PAYMENTS: &[&str] = &["cash", "card", "payme", "click", "uzum", "telegram"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MachineView {
    pub id: String,
    pub number: String,
    pub name: String,
    pub machine_type: String,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub location_id: Option<String>,
    pub operator_id: Option<String>,
    pub status: String,
    pub accepted_payments: Vec<String>,
    /// Tiyin the cash box holds.
    pub cash_capacity: i64,
    pub last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub(crate) fn view(m: MachineRow) -> MachineView {
    MachineView {
        accepted_payments: serde_json::from_str(&m.accepted_payments).unwrap_or_default(),
        id: m.id,
        number: m.number,
        name: m.name,
        machine_type: m.machine_type,
        model: m.model,
        serial_number: m.serial_number,
        location_id: m.location_id,
        operator_id: m.operator_id,
        status: m.status,
        cash_capacity: m.cash_capacity,
        last_seen_at: m.last_seen_at.map(|t| t.and_utc()),
        created_at: m.created_at.and_utc(),
    }
}

/// A machine's editable fields.
#[derive(Debug, Clone, Default)]
pub struct MachineInput {
    pub number: String,
    pub name: String,
    pub machine_type: String,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub location_id: Option<String>,
    pub operator_id: Option<String>,
    pub status: Option<String>,
    pub accepted_payments: Option<Vec<String>>,
    pub cash_capacity: Option<i64>,
}

fn validate(i: &MachineInput) -> Vec<FieldError> {
    let mut e = Vec::new();
    let number_ok = !i.number.is_empty()
        && i.number.len() <= 40
        && i.number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !number_ok {
        e.push(FieldError::new(
            "number",
            "must be 1 to 40 letters, digits, '-', '_' or '.'",
        ));
    }
    if i.name.trim().is_empty() || i.name.chars().count() > 200 {
        e.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    if MachineType::parse(&i.machine_type).is_none() {
        e.push(FieldError::new(
            "machine_type",
            format!(
                "must be one of {}",
                MachineType::ALL.map(MachineType::as_str).join(", ")
            ),
        ));
    }
    if i.status
        .as_deref()
        .is_some_and(|s| !MachineStatus::parse(s).is_some_and(MachineStatus::is_settable))
    {
        e.push(FieldError::new(
            "status",
            "can be set to active, maintenance or disabled",
        ));
    }
    if i.accepted_payments
        .as_ref()
        .is_some_and(|p| p.is_empty() || p.iter().any(|x| !PAYMENTS.contains(&x.as_str())))
    {
        e.push(FieldError::new(
            "accepted_payments",
            format!("must be some of {}", PAYMENTS.join(", ")),
        ));
    }
    if i.cash_capacity.is_some_and(|c| c < 0) {
        e.push(FieldError::new("cash_capacity", "must not be negative"));
    }
    for (field, v) in [("model", &i.model), ("serial_number", &i.serial_number)] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 100) {
            e.push(FieldError::new(field, "must be at most 100 characters"));
        }
    }
    e
}

/// Refs must belong to the caller's organization: another organization's location or operator is "not found".
fn check_refs(c: &mut vendhub_store::DbConn, who: &Principal, i: &MachineInput) -> Result<(), AppError> {
    if let Some(l) = &i.location_id
        && locations::get(c, who.scope(), l)?.is_none()
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "location_id",
            "no such location",
        )]));
    }
    if let Some(o) = &i.operator_id {
        let Ok(id) = o.parse::<UserId>() else {
            return Err(AppError::Validation(vec![FieldError::new(
                "operator_id",
                "no such user",
            )]));
        };
        if users::role_in(c, who.scope(), id)?.is_none() {
            return Err(AppError::Validation(vec![FieldError::new(
                "operator_id",
                "no such user",
            )]));
        }
    }
    Ok(())
}

/// The answer to a machine number that is taken.
pub(super) const NUMBER_TAKEN: &str = "number: a machine with this number exists";

pub(super) async fn publish(app: &App, who: &Principal, m: &MachineView, change: &str) {
    let event = DomainEvent::new(
        "machine:updated",
        &who.organization_id(),
        Some(&m.id),
        serde_json::json!({ "change": change, "status": m.status }),
    );
    crate::events::publish(app, &event).await;
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    input: MachineInput,
    meta: &RequestMeta,
) -> Result<MachineView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let now = app.now();
    let row = MachineRow {
        id: MachineId::new().to_string(),
        organization_id: who.organization_id().to_string(),
        number: input.number.clone(),
        name: input.name.trim().to_owned(),
        machine_type: input.machine_type.clone(),
        model: input.model.clone(),
        serial_number: input.serial_number.clone(),
        location_id: input.location_id.clone(),
        operator_id: input.operator_id.clone(),
        status: input.status.clone().unwrap_or_else(|| "active".into()),
        accepted_payments: serde_json::to_string(
            &input
                .accepted_payments
                .clone()
                .unwrap_or_else(|| vec!["cash".into()]),
        )
        .unwrap_or_else(|_| "[\"cash\"]".into()),
        cash_capacity: input.cash_capacity.unwrap_or(0),
        last_seen_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        check_refs(c, &who2, &input)?;
        machines::insert(c, who2.scope(), &stored).map_err(AppError::conflict_as(NUMBER_TAKEN))?;
        audit::append(
            c,
            &Record::new("machine.create", "machine", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(serde_json::to_value(view(stored.clone())).ok())
                .done(),
        )?;
        Ok(())
    })
    .await?;
    let v = view(row);
    publish(app, who, &v, "created").await;
    Ok(v)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: MachineId) -> Result<MachineView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| machines::get(c, &scope, &id.to_string()))
        .await?
        .map(view)
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    query: MachineQuery,
    page: PageRequest,
) -> Result<Paged<MachineView>, AppError> {
    let filter = query.filter();
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| machines::list(c, &scope, &filter, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(rows.into_iter().map(view).collect(), page, total))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    id: MachineId,
    input: MachineInput,
    meta: &RequestMeta,
) -> Result<MachineView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    let row = app
        .write(move |c| {
            let Some(before) = machines::get(c, who2.scope(), &id.to_string())? else {
                return Err(AppError::NotFound);
            };
            check_refs(c, &who2, &input)?;
            let after = MachineRow {
                number: input.number.clone(),
                name: input.name.trim().to_owned(),
                machine_type: input.machine_type.clone(),
                model: input.model.clone(),
                serial_number: input.serial_number.clone(),
                operator_id: input.operator_id.clone(),
                status: input.status.clone().unwrap_or_else(|| before.status.clone()),
                accepted_payments: input
                    .accepted_payments
                    .as_ref()
                    .and_then(|p| serde_json::to_string(p).ok())
                    .unwrap_or_else(|| before.accepted_payments.clone()),
                cash_capacity: input.cash_capacity.unwrap_or(before.cash_capacity),
                ..before.clone()
            };
            machines::update(c, who2.scope(), &after).map_err(AppError::conflict_as(NUMBER_TAKEN))?;
            audit::append(
                c,
                &Record::new("machine.update", "machine", &after.id)
                    .by(&who2)
                    .from(&meta)
                    .before(serde_json::to_value(view(before)).ok())
                    .after(serde_json::to_value(view(after.clone())).ok())
                    .done(),
            )?;
            Ok(after)
        })
        .await?;
    let v = view(row);
    publish(app, who, &v, "updated").await;
    Ok(v)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, id: MachineId, meta: &RequestMeta) -> Result<(), AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    app.write(move |c| {
        let Some(before) = machines::get(c, who2.scope(), &id.to_string())? else {
            return Err(AppError::NotFound);
        };
        machines::soft_delete(c, who2.scope(), &before.id)?;
        audit::append(
            c,
            &Record::new("machine.delete", "machine", &before.id)
                .by(&who2)
                .from(&meta)
                .before(serde_json::to_value(view(before.clone())).ok())
                .done(),
        )?;
        Ok(())
    })
    .await
}
