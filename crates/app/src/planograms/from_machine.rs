//! A machine's planogram saved as a named template (the machine read through the tenant scope, the slots
//! saved and audited by [`create_template`]).

use vendhub_domain::ids::MachineId;

use super::templates::{TemplateView, create_template};
use super::{SlotInput, get};
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

/// Saves `machine`'s slots as the template `name`; another organization's machine is not found, an empty
/// planogram is refused (a template without slots applies nothing).
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn template_from_machine(
    app: &App,
    who: &Principal,
    machine: MachineId,
    name: &str,
    meta: &RequestMeta,
) -> Result<TemplateView, AppError> {
    let slots = get(app, who, machine).await?;
    if slots.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "slots",
            "the machine has no planogram to save",
        )]));
    }
    let inputs: Vec<SlotInput> = slots.into_iter().map(SlotInput::from).collect();
    create_template(app, who, name, inputs, meta).await
}
