//! Planograms: which product sits in which slot of a machine, with capacity, par level and price.
//! Replaced as a whole (validated together) or copied from another machine; a slot that still holds stock
//! cannot disappear or shrink below what it holds. One file per action (`replace`, `copy`, `slot`) and for
//! templates; `save` writes a checked planogram for all of them; this module holds the views, the parsing
//! of slots and the read.

mod copy;
mod from_machine;
mod replace;
mod save;
mod slot;
mod templates;

pub use copy::copy;
pub use from_machine::template_from_machine;
pub use replace::replace;
pub use slot::set_slot;
pub use templates::{TemplateSlot, TemplateView, apply_template, create_template, template, templates};

use serde::Serialize;
use vendhub_domain::ids::{MachineId, ProductId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::planogram::{Slot, validate_planogram};
use vendhub_domain::stock::{Qty, SlotCode};
use vendhub_store::machines;
use vendhub_store::planograms::{self, SlotRow};

use crate::auth::Principal;
use crate::error::FieldError;
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

/// A slot as read back (another machine's, or a template's) is a slot to write again.
macro_rules! slot_input_from {
    ($($t:ty),*) => {$(
        impl From<$t> for SlotInput {
            fn from(s: $t) -> Self {
                Self { slot: s.slot, product_id: s.product_id, capacity: s.capacity, par_level: s.par_level, price: s.price }
            }
        }
    )*};
}
slot_input_from!(SlotView, templates::TemplateSlot);

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
