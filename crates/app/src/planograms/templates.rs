//! Planogram templates: named sets of slots, saved, listed and applied to a machine.

use serde::Serialize;
use vendhub_domain::ids::{MachineId, PlanogramTemplateId};
use vendhub_domain::money::Tiyin;
use vendhub_store::planograms::{self};
use vendhub_store::{audit, products};

use super::save::store;
use super::{SlotInput, SlotView, parse};
use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TemplateSlot {
    pub slot: String,
    pub product_id: String,
    pub capacity: i64,
    pub par_level: i64,
    pub price: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub slots: Vec<TemplateSlot>,
}

fn template_view(t: planograms::TemplateRow) -> TemplateView {
    TemplateView {
        slots: serde_json::from_str(&t.slots).unwrap_or_default(),
        id: t.id,
        name: t.name,
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn templates(app: &App, who: &Principal) -> Result<Vec<TemplateView>, AppError> {
    let scope = who.scope().clone();
    Ok(app
        .db()
        .run(move |c| planograms::templates(c, &scope))
        .await?
        .into_iter()
        .map(template_view)
        .collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn template(app: &App, who: &Principal, id: PlanogramTemplateId) -> Result<TemplateView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| planograms::template(c, &scope, &id.to_string()))
        .await?
        .map(template_view)
        .ok_or(AppError::NotFound)
}

/// Saves a named template, validated like a planogram (its products must be ours).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create_template(
    app: &App,
    who: &Principal,
    name: &str,
    inputs: Vec<SlotInput>,
    meta: &RequestMeta,
) -> Result<TemplateView, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            "must be 1 to 100 characters",
        )]));
    }
    let slots = parse(&inputs)?;
    let json: Vec<TemplateSlot> = slots
        .iter()
        .map(|s| TemplateSlot {
            slot: s.code.as_str().to_owned(),
            product_id: s.product.to_string(),
            capacity: s.capacity.get(),
            par_level: s.par_level.get(),
            price: s.price.map(Tiyin::get),
        })
        .collect();
    let row = planograms::TemplateRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        name,
        slots: serde_json::to_string(&json).map_err(AppError::internal)?,
        created_at: app.now(),
        deleted_at: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        for s in &json {
            if products::get(c, who2.scope(), &s.product_id)?.is_none() {
                return Err(AppError::Validation(vec![FieldError::new(
                    "slots",
                    format!("slot {}: no such product", s.slot),
                )]));
            }
        }
        planograms::insert_template(c, who2.scope(), &stored)
            .map_err(AppError::conflict_as("name: a template with this name exists"))?;
        audit::append(
            c,
            &Record::new("planogram_template.create", "planogram_template", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(Some(serde_json::json!({ "name": stored.name })))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(template_view(row))
}

/// Applies a template to a machine's planogram.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn apply_template(
    app: &App,
    who: &Principal,
    machine: MachineId,
    template_id: PlanogramTemplateId,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let t = template(app, who, template_id).await.map_err(|e| match e {
        AppError::NotFound => {
            AppError::Validation(vec![FieldError::new("from_template_id", "no such template")])
        }
        other => other,
    })?;
    let inputs: Vec<SlotInput> = t.slots.into_iter().map(SlotInput::from).collect();
    let slots = parse(&inputs)?;
    store(app, who, machine, slots, "planogram.template", meta).await
}
