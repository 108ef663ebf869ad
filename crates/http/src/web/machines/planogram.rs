//! The planogram editor: one slot set from its form (product, capacity, par level, price), or a template
//! applied — the same use cases as `PUT /api/v1/machines/{id}/planogram/slots/{slot}` and
//! `POST /api/v1/machines/{id}/planogram/copy`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::planograms::{self, SlotInput};
use vendhub_domain::roles::Permission;

use super::machine_id;
use crate::HttpState;
use crate::extract::Meta;
use crate::web::catalog::fields::FieldErrors;
use crate::web::session::see_other;
use crate::web::{Form, Panel, WebError};

#[derive(Deserialize)]
pub(super) struct SlotForm {
    slot: String,
    product_id: String,
    capacity: String,
    par_level: String,
    /// So'm; empty uses the product's price.
    #[serde(default)]
    price: String,
}

pub(super) async fn save_slot(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<SlotForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    let mut errors = FieldErrors::default();
    let input = SlotInput {
        slot: f.slot.trim().to_owned(),
        product_id: f.product_id.trim().to_owned(),
        capacity: errors.required_whole("capacity", &f.capacity),
        par_level: errors.required_whole("par_level", &f.par_level),
        price: errors.som("price", &f.price),
    };
    errors.finish()?;
    planograms::set_slot(&state.app, &panel.who, id, input, &meta).await?;
    Ok(see_other(&format!("/admin/machines/{id}#planogram")))
}

#[derive(Deserialize)]
pub(super) struct TemplateForm {
    template_id: String,
}

pub(super) async fn apply_template(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    let template = f
        .template_id
        .parse()
        .map_err(|_| AppError::Validation(vec![FieldError::new("template_id", "no such template")]))?;
    planograms::apply_template(&state.app, &panel.who, id, template, &meta).await?;
    Ok(see_other(&format!("/admin/machines/{id}#planogram")))
}

#[derive(Deserialize)]
pub(super) struct SaveTemplateForm {
    name: String,
}

/// The machine's planogram saved as a template (`name`), then the templates page.
pub(super) async fn save_as_template(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<SaveTemplateForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = machine_id(&id)?;
    planograms::template_from_machine(&state.app, &panel.who, id, &f.name, &meta).await?;
    Ok(see_other("/admin/planogram-templates"))
}
