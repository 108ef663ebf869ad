//! Replacing a machine's whole planogram.

use vendhub_domain::ids::MachineId;

use super::save::store;
use super::{SlotInput, SlotView, parse};
use crate::auth::{Principal, RequestMeta};
use crate::{App, AppError};

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
