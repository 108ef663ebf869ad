//! Copying another machine's planogram onto a machine.

use vendhub_domain::ids::MachineId;

use super::save::store;
use super::{SlotInput, SlotView, get, parse};
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

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
    let inputs: Vec<SlotInput> = source.into_iter().map(SlotInput::from).collect();
    let slots = parse(&inputs)?;
    store(app, who, machine, slots, "planogram.copy", meta).await
}
