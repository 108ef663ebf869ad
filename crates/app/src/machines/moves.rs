//! Where machines stand: the map, and moves between locations with their history.

use serde::Serialize;
use vendhub_domain::ids::MachineId;
use vendhub_store::machines::MachineRow;
use vendhub_store::{audit, locations, machine_moves, machines};

use super::{MachineView, NUMBER_TAKEN, publish, view};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MapPoint {
    pub id: String,
    pub number: String,
    pub name: String,
    pub status: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn map(app: &App, who: &Principal) -> Result<Vec<MapPoint>, AppError> {
    let scope = who.scope().clone();
    let rows = app.db().run(move |c| machines::map(c, &scope)).await?;
    Ok(rows
        .into_iter()
        .map(|(m, latitude, longitude)| MapPoint {
            id: m.id,
            number: m.number,
            name: m.name,
            status: m.status,
            latitude,
            longitude,
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MoveView {
    pub from_location_id: Option<String>,
    pub to_location_id: Option<String>,
    pub moved_by: Option<String>,
    pub moved_at: chrono::DateTime<chrono::Utc>,
}

/// Moves a machine to another location (or to none: in storage), keeping the history.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn move_to(
    app: &App,
    who: &Principal,
    id: MachineId,
    location: Option<String>,
    meta: &RequestMeta,
) -> Result<MachineView, AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    let row = app
        .write(move |c| {
            let Some(before) = machines::get(c, who2.scope(), &id.to_string())? else {
                return Err(AppError::NotFound);
            };
            if let Some(l) = &location
                && locations::get(c, who2.scope(), l)?.is_none()
            {
                return Err(AppError::Validation(vec![FieldError::new(
                    "location_id",
                    "no such location",
                )]));
            }
            if before.location_id == location {
                return Err(
                    crate::error::Rule::MachineAlreadyThere.refuse("the machine is at that location already")
                );
            }
            machine_moves::insert(
                c,
                who2.scope(),
                &machine_moves::MoveRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    organization_id: who2.organization_id().to_string(),
                    machine_id: before.id.clone(),
                    from_location_id: before.location_id.clone(),
                    to_location_id: location.clone(),
                    moved_by: Some(who2.user_id().to_string()),
                    moved_at: vendhub_store::now(),
                },
            )?;
            let after = MachineRow {
                location_id: location.clone(),
                ..before.clone()
            };
            machines::update(c, who2.scope(), &after).map_err(AppError::conflict_as(NUMBER_TAKEN))?;
            audit::append(
                c,
                &Record::new("machine.move", "machine", &after.id)
                    .by(&who2)
                    .from(&meta)
                    .before(Some(serde_json::json!({ "location_id": before.location_id })))
                    .after(Some(serde_json::json!({ "location_id": location })))
                    .done(),
            )?;
            Ok(after)
        })
        .await?;
    let v = view(row);
    publish(app, who, &v, "moved").await;
    Ok(v)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn moves(app: &App, who: &Principal, id: MachineId) -> Result<Vec<MoveView>, AppError> {
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| {
            if machines::get(c, &scope, &id.to_string())?.is_none() {
                return Ok(None);
            }
            Ok(Some(machine_moves::of_machine(c, &scope, &id.to_string())?))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rows
        .into_iter()
        .map(|m| MoveView {
            from_location_id: m.from_location_id,
            to_location_id: m.to_location_id,
            moved_by: m.moved_by,
            moved_at: m.moved_at.and_utc(),
        })
        .collect())
}
