//! Warehouses of an organization.

use serde::Serialize;
use vendhub_domain::ids::WarehouseId;
use vendhub_domain::stock::Holder;
use vendhub_store::{audit, warehouses};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

const NAME_TAKEN: &str = "name: a warehouse with this name exists";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarehouseView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn view(w: warehouses::WarehouseRow) -> WarehouseView {
    WarehouseView {
        id: w.id,
        name: w.name,
        address: w.address,
        created_at: w.created_at.and_utc(),
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal) -> Result<Vec<WarehouseView>, AppError> {
    let scope = who.scope().clone();
    Ok(app
        .db()
        .run(move |c| warehouses::list(c, &scope))
        .await?
        .into_iter()
        .map(view)
        .collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: WarehouseId) -> Result<WarehouseView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| warehouses::get(c, &scope, &id.to_string()))
        .await?
        .map(view)
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    name: &str,
    address: &str,
    meta: &RequestMeta,
) -> Result<WarehouseView, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            "must be 1 to 200 characters",
        )]));
    }
    let now = app.now();
    let row = warehouses::WarehouseRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        name,
        address: address.trim().to_owned(),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        warehouses::insert(c, who2.scope(), &stored).map_err(AppError::conflict_as(NAME_TAKEN))?;
        audit::append(
            c,
            &Record::new("warehouse.create", "warehouse", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(Some(serde_json::json!({ "name": stored.name })))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(view(row))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    id: WarehouseId,
    name: &str,
    address: &str,
    meta: &RequestMeta,
) -> Result<WarehouseView, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            "must be 1 to 200 characters",
        )]));
    }
    let (who2, meta, address) = (who.clone(), meta.clone(), address.trim().to_owned());
    let id = id.to_string();
    app.write(move |c| {
        let Some(before) = warehouses::get(c, who2.scope(), &id)? else {
            return Err(AppError::NotFound);
        };
        warehouses::update(c, who2.scope(), &id, &name, &address)
            .map_err(AppError::conflict_as(NAME_TAKEN))?;
        audit::append(
            c,
            &Record::new("warehouse.update", "warehouse", &id)
                .by(&who2)
                .from(&meta)
                .before(Some(
                    serde_json::json!({ "name": before.name, "address": before.address }),
                ))
                .after(Some(serde_json::json!({ "name": name, "address": address })))
                .done(),
        )?;
        Ok(warehouses::get(c, who2.scope(), &id)?.map(view))
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// Deletes an empty warehouse (stock must be moved or written off first).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, id: WarehouseId, meta: &RequestMeta) -> Result<(), AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    let (holder, id) = (Holder::Warehouse(id).to_string(), id.to_string());
    app.write(move |c| {
        let Some(before) = warehouses::get(c, who2.scope(), &id)? else {
            return Err(AppError::NotFound);
        };
        let held = vendhub_store::stock::balances(c, who2.scope(), &holder, false)?;
        if !held.is_empty() {
            return Err(crate::error::Rule::WarehouseHoldsStock.refuse(format!(
                "the warehouse still holds {} product(s): move or write them off first",
                held.len()
            )));
        }
        warehouses::soft_delete(c, who2.scope(), &id)?;
        audit::append(
            c,
            &Record::new("warehouse.delete", "warehouse", &id)
                .by(&who2)
                .from(&meta)
                .before(Some(serde_json::json!({ "name": before.name })))
                .done(),
        )?;
        Ok(())
    })
    .await
}
