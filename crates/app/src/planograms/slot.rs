//! Setting one slot of a planogram, checked with the rest.

use vendhub_domain::ids::MachineId;
use vendhub_domain::stock::SlotCode;

use super::save::store;
use super::{SlotInput, SlotView, get, parse};
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

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
