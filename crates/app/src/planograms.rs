//! Planograms: which product sits in which slot of a machine, with capacity, par level and price.
//! Replaced as a whole (validated together) or copied from another machine; a slot that still holds stock
//! cannot disappear or shrink below what it holds.

use serde::Serialize;
use vendhub_domain::ids::{MachineId, ProductId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::planogram::{Slot, validate_planogram};
use vendhub_domain::stock::{Holder, Qty, SlotCode};
use vendhub_store::planograms::{self, SlotRow};
use vendhub_store::{DbConn, StoreError, audit, machines, products, stock};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::ports::DomainEvent;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    pub slot: String,
    pub product_id: String,
    pub capacity: i64,
    pub par_level: i64,
    /// This machine's price in tiyin; null uses the product's price.
    pub price: Option<i64>,
}

fn view(s: SlotRow) -> SlotView {
    SlotView {
        slot: s.code,
        product_id: s.product_id,
        capacity: s.capacity,
        par_level: s.par_level,
        price: s.price,
    }
}

/// One slot as given by a client.
#[derive(Debug, Clone)]
pub struct SlotInput {
    pub slot: String,
    pub product_id: String,
    pub capacity: i64,
    pub par_level: i64,
    pub price: Option<i64>,
}

fn parse(inputs: &[SlotInput]) -> Result<Vec<Slot>, AppError> {
    let mut errors = Vec::new();
    let mut slots = Vec::new();
    for (i, s) in inputs.iter().enumerate() {
        let field = |f: &str| format!("slots[{i}].{f}");
        let code = SlotCode::parse(&s.slot)
            .map_err(|e| errors.push(FieldError::new(field("slot"), e.to_string())))
            .ok();
        let product = s
            .product_id
            .parse::<ProductId>()
            .map_err(|_| errors.push(FieldError::new(field("product_id"), "no such product")))
            .ok();
        let capacity = Qty::new(s.capacity)
            .map_err(|e| errors.push(FieldError::new(field("capacity"), e.to_string())))
            .ok();
        let par = Qty::new(s.par_level)
            .map_err(|e| errors.push(FieldError::new(field("par_level"), e.to_string())))
            .ok();
        if let (Some(code), Some(product), Some(capacity), Some(par_level)) = (code, product, capacity, par) {
            slots.push(Slot {
                code,
                product,
                capacity,
                par_level,
                price: s.price.map(Tiyin::new),
            });
        }
    }
    if errors.is_empty()
        && let Err(problems) = validate_planogram(&slots)
    {
        errors.extend(
            problems
                .into_iter()
                .map(|p| FieldError::new("slots", p.to_string())),
        );
    }
    if errors.is_empty() {
        Ok(slots)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, machine: MachineId) -> Result<Vec<SlotView>, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| {
            if machines::get(c, &scope, &machine.to_string())?.is_none() {
                return Ok(None);
            }
            Ok(Some(planograms::of_machine(c, &scope, &machine.to_string())?))
        })
        .await?
        .map(|rows| rows.into_iter().map(view).collect())
        .ok_or(AppError::NotFound)
}

/// Writes `slots` as the machine's planogram, inside the caller's transaction.
fn write_slots(
    c: &mut DbConn,
    who: &Principal,
    machine: MachineId,
    slots: &[Slot],
) -> Result<Vec<SlotRow>, AppError> {
    let (org, m) = (who.organization_id(), machine.to_string());
    for s in slots {
        if products::get(c, who.scope(), &s.product.to_string())?.is_none() {
            return Err(AppError::Validation(vec![FieldError::new(
                "slots",
                format!("slot {}: no such product", s.code),
            )]));
        }
    }
    for old in planograms::of_machine(c, who.scope(), &m)? {
        let holder = Holder::Slot {
            machine,
            slot: SlotCode::parse(&old.code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        let held = stock::balance_of(c, who.scope(), &holder.to_string(), &old.product_id)?;
        if held == 0 {
            continue;
        }
        let keeps = slots.iter().find(|s| s.code.as_str() == old.code);
        match keeps {
            Some(s) if s.product.to_string() == old.product_id && s.capacity.get() >= held => {}
            _ => {
                return Err(crate::error::Rule::SlotHoldsStock.refuse(format!(
                    "slot {} still holds {held} of its product: unload it before removing the slot, changing its product or shrinking it below that",
                    old.code
                )));
            }
        }
    }
    let now = vendhub_store::now();
    let rows: Vec<SlotRow> = slots
        .iter()
        .map(|s| SlotRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_string(),
            machine_id: m.clone(),
            code: s.code.as_str().to_owned(),
            product_id: s.product.to_string(),
            capacity: s.capacity.get(),
            par_level: s.par_level.get(),
            price: s.price.map(Tiyin::get),
            created_at: now,
            updated_at: now,
        })
        .collect();
    planograms::replace(c, who.scope(), &m, &rows)?;
    Ok(rows)
}

async fn store(
    app: &App,
    who: &Principal,
    machine: MachineId,
    slots: Vec<Slot>,
    action: &'static str,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let (who2, meta) = (who.clone(), meta.clone());
    let rows = app
        .write(move |c| {
            if machines::get(c, who2.scope(), &machine.to_string())?.is_none() {
                return Err(AppError::NotFound);
            }
            let before: Vec<SlotView> = planograms::of_machine(c, who2.scope(), &machine.to_string())?
                .into_iter()
                .map(view)
                .collect();
            let rows = write_slots(c, &who2, machine, &slots)?;
            let after: Vec<SlotView> = rows.iter().cloned().map(view).collect();
            audit::append(
                c,
                &Record::new(action, "machine", &machine.to_string())
                    .by(&who2)
                    .from(&meta)
                    .before(serde_json::to_value(&before).ok())
                    .after(serde_json::to_value(&after).ok())
                    .done(),
            )?;
            Ok(rows)
        })
        .await?;
    let event = DomainEvent::new(
        "planogram:updated",
        &who.organization_id(),
        Some(&machine),
        serde_json::json!({ "slots": rows.len() }),
    );
    crate::events::publish(app, &event).await;
    Ok(rows.into_iter().map(view).collect())
}

/// Replaces the whole planogram, validated together (every problem named).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn replace(
    app: &App,
    who: &Principal,
    machine: MachineId,
    inputs: &[SlotInput],
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let slots = parse(inputs)?;
    store(app, who, machine, slots, "planogram.replace", meta).await
}

/// Copies another machine's planogram onto this one.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn copy(
    app: &App,
    who: &Principal,
    machine: MachineId,
    from: MachineId,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let source = get(app, who, from).await.map_err(|e| match e {
        AppError::NotFound => {
            AppError::Validation(vec![FieldError::new("from_machine_id", "no such machine")])
        }
        other => other,
    })?;
    let inputs: Vec<SlotInput> = source
        .into_iter()
        .map(|s| SlotInput {
            slot: s.slot,
            product_id: s.product_id,
            capacity: s.capacity,
            par_level: s.par_level,
            price: s.price,
        })
        .collect();
    let slots = parse(&inputs)?;
    store(app, who, machine, slots, "planogram.copy", meta).await
}

/// Sets one slot (adding it, or changing its product, capacity, par level or price), checked together
/// with the rest of the planogram.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn set_slot(
    app: &App,
    who: &Principal,
    machine: MachineId,
    input: SlotInput,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let current = get(app, who, machine).await?;
    let code = SlotCode::parse(&input.slot)
        .map_err(|e| AppError::Validation(vec![FieldError::new("slot", e.to_string())]))?;
    let mut inputs: Vec<SlotInput> = current
        .into_iter()
        .filter(|s| s.slot != code.as_str())
        .map(|s| SlotInput {
            slot: s.slot,
            product_id: s.product_id,
            capacity: s.capacity,
            par_level: s.par_level,
            price: s.price,
        })
        .collect();
    inputs.push(SlotInput {
        slot: code.as_str().to_owned(),
        ..input
    });
    inputs.sort_by(|a, b| a.slot.cmp(&b.slot));
    let slots = parse(&inputs)?;
    store(app, who, machine, slots, "planogram.slot", meta).await
}

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
pub async fn template(app: &App, who: &Principal, id: String) -> Result<TemplateView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| planograms::template(c, &scope, &id))
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
    template_id: String,
    meta: &RequestMeta,
) -> Result<Vec<SlotView>, AppError> {
    let t = template(app, who, template_id).await.map_err(|e| match e {
        AppError::NotFound => {
            AppError::Validation(vec![FieldError::new("from_template_id", "no such template")])
        }
        other => other,
    })?;
    let inputs: Vec<SlotInput> = t
        .slots
        .into_iter()
        .map(|s| SlotInput {
            slot: s.slot,
            product_id: s.product_id,
            capacity: s.capacity,
            par_level: s.par_level,
            price: s.price,
        })
        .collect();
    let slots = parse(&inputs)?;
    store(app, who, machine, slots, "planogram.template", meta).await
}
