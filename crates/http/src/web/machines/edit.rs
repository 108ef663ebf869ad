//! Adding, editing and removing a machine: `/admin/machines/new`, `POST /admin/machines`,
//! `/admin/machines/{id}/edit` and `POST /admin/machines/{id}/delete` — the use cases of
//! `POST/PUT/DELETE /api/v1/machines`. A form the use case refuses comes back with the values typed and
//! the fields named.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_app::machines::{self, MachineInput, MachineView, PAYMENTS};
use vendhub_domain::ids::MachineId;
use vendhub_domain::machine::MachineStatus;
use vendhub_domain::roles::Permission;

use super::{location_names, machine_id, status_label, types};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::catalog::fields::{FieldErrors, som_field};
use crate::web::i18n::Tr;
use crate::web::session::see_other;
use crate::web::{PageCtx, Panel, WebError, page};

/// The form's fields as typed (the API's names; `accepted_payments` repeats, one per checkbox).
#[derive(Default, Clone)]
pub(super) struct MachineForm {
    number: String,
    name: String,
    machine_type: String,
    model: String,
    serial_number: String,
    location_id: String,
    operator_id: String,
    status: String,
    accepted_payments: Vec<String>,
    cash_capacity: String,
}

impl MachineForm {
    /// Reads a url-encoded body (unknown fields, such as `_csrf`, are ignored).
    fn parse(body: &[u8]) -> Self {
        let mut f = Self::default();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.into_owned();
            match k.as_ref() {
                "number" => f.number = v,
                "name" => f.name = v,
                "machine_type" => f.machine_type = v,
                "model" => f.model = v,
                "serial_number" => f.serial_number = v,
                "location_id" => f.location_id = v,
                "operator_id" => f.operator_id = v,
                "status" => f.status = v,
                "accepted_payments" => f.accepted_payments.push(v),
                "cash_capacity" => f.cash_capacity = v,
                _ => {}
            }
        }
        f
    }

    fn of(m: &MachineView) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            number: m.number.clone(),
            name: m.name.clone(),
            machine_type: m.machine_type.clone(),
            model: text(&m.model),
            serial_number: text(&m.serial_number),
            location_id: text(&m.location_id),
            operator_id: text(&m.operator_id),
            status: MachineStatus::parse(&m.status)
                .filter(|s| s.is_settable())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            accepted_payments: m.accepted_payments.clone(),
            cash_capacity: som_field(m.cash_capacity),
        }
    }

    fn new_machine() -> Self {
        Self {
            accepted_payments: vec!["cash".to_owned()],
            ..Self::default()
        }
    }

    fn input(&self) -> Result<MachineInput, AppError> {
        let mut e = FieldErrors::default();
        let input = MachineInput {
            number: self.number.trim().to_owned(),
            name: self.name.trim().to_owned(),
            machine_type: self.machine_type.trim().to_owned(),
            model: FieldErrors::text(&self.model),
            serial_number: FieldErrors::text(&self.serial_number),
            location_id: FieldErrors::text(&self.location_id),
            operator_id: FieldErrors::text(&self.operator_id),
            status: FieldErrors::text(&self.status),
            accepted_payments: Some(self.accepted_payments.clone()),
            cash_capacity: e.som("cash_capacity", &self.cash_capacity),
        };
        e.finish()?;
        Ok(input)
    }
}

/// A choice of a select or a checkbox, marked when chosen.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/machines/form.html")]
struct FormPage {
    page: PageCtx,
    /// The machine edited; `None` for a new one.
    id: Option<String>,
    action: String,
    form: MachineForm,
    types: Vec<Opt>,
    locations: Vec<Opt>,
    operators: Vec<Opt>,
    statuses: Vec<Opt>,
    payments: Vec<Opt>,
    /// The current status when it is not one a person sets (offline, error…).
    current_status: String,
    /// `(field, problem)` of a refused save.
    errors: Vec<(String, String)>,
}

/// The label of an accepted payment method.
fn payment_label(t: Tr, method: &str) -> &'static str {
    t.t(&format!("machines.payment.{method}"))
}

fn opts<'a>(all: impl IntoIterator<Item = (&'a str, &'a str)>, chosen: &str) -> Vec<Opt> {
    all.into_iter()
        .map(|(v, l)| Opt {
            selected: v == chosen,
            value: v.to_owned(),
            label: l.to_owned(),
        })
        .collect()
}

/// The form's page, its pickers filled from the caller's organization.
async fn form_page(
    state: &HttpState,
    panel: Panel,
    id: Option<String>,
    form: MachineForm,
    current_status: &str,
    errors: Vec<(String, String)>,
) -> Result<FormPage, WebError> {
    let who: &Principal = &panel.who;
    let (locations, operators) = tokio::try_join!(
        location_names(state, who),
        vendhub_app::tasks::assignees(&state.app, who),
    )?;
    let t = panel.page.t;
    let types = types(t);
    let statuses: Vec<(&str, &str)> = MachineStatus::SETTABLE
        .into_iter()
        .map(|s| (s.as_str(), status_label(t, s.as_str())))
        .collect();
    let payments = PAYMENTS
        .iter()
        .map(|p| Opt {
            selected: form.accepted_payments.iter().any(|c| c == p),
            value: (*p).to_owned(),
            label: payment_label(t, p).to_owned(),
        })
        .collect();
    Ok(FormPage {
        action: id.as_ref().map_or_else(
            || "/admin/machines".to_owned(),
            |id| format!("/admin/machines/{id}/edit"),
        ),
        types: opts(types.iter().copied(), &form.machine_type),
        locations: opts(
            locations.iter().map(|(a, b)| (a.as_str(), b.as_str())),
            &form.location_id,
        ),
        operators: opts(
            operators.iter().map(|o| (o.id.as_str(), o.full_name.as_str())),
            &form.operator_id,
        ),
        statuses: opts(statuses, &form.status),
        payments,
        current_status: if current_status.is_empty() {
            String::new()
        } else {
            status_label(t, current_status).to_owned()
        },
        errors,
        id,
        form,
        page: panel.page,
    })
}

/// A refusal the form shows next to the values typed (bad or taken values); anything else is the
/// error page.
fn refusal(e: AppError) -> Result<(StatusCode, Vec<(String, String)>), WebError> {
    match e {
        AppError::Validation(fields) => Ok((
            StatusCode::BAD_REQUEST,
            fields.into_iter().map(|f| (f.field, f.message)).collect(),
        )),
        AppError::Conflict(m) => {
            let (field, problem) = m.split_once(": ").unwrap_or(("number", m.as_str()));
            Ok((StatusCode::CONFLICT, vec![(field.to_owned(), problem.to_owned())]))
        }
        e => Err(e.into()),
    }
}

/// The form again, with what was wrong.
async fn refused(
    state: &HttpState,
    panel: Panel,
    id: Option<String>,
    form: MachineForm,
    current_status: &str,
    e: AppError,
) -> Result<Response, WebError> {
    let (status, errors) = refusal(e)?;
    let mut res = page(&form_page(state, panel, id, form, current_status, errors).await?)?;
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn new(State(state): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    page(&form_page(&state, panel, None, MachineForm::new_machine(), "", Vec::new()).await?)
}

pub(super) async fn create(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    body: Bytes,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let form = MachineForm::parse(&body);
    let saved = match form.input() {
        Ok(input) => machines::create(&state.app, &panel.who, input, &meta).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(m) => Ok(see_other(&format!("/admin/machines/{}", m.id))),
        Err(e) => refused(&state, panel, None, form, "", e).await,
    }
}

pub(super) async fn edit(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let m = machines::get(&state.app, &panel.who, machine_id(&id)?).await?;
    let form = MachineForm::of(&m);
    page(&form_page(&state, panel, Some(m.id), form, &m.status, Vec::new()).await?)
}

pub(super) async fn update(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id: MachineId = machine_id(&id)?;
    let before = machines::get(&state.app, &panel.who, id).await?;
    let form = MachineForm::parse(&body);
    let saved = match form.input() {
        // The location changes by a move (with its history), not here.
        Ok(input) => {
            let input = MachineInput {
                location_id: None,
                ..input
            };
            machines::update(&state.app, &panel.who, id, input, &meta).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(m) => Ok(see_other(&format!("/admin/machines/{}", m.id))),
        Err(e) => refused(&state, panel, Some(before.id), form, &before.status, e).await,
    }
}

pub(super) async fn delete(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    machines::delete(&state.app, &panel.who, machine_id(&id)?, &meta).await?;
    Ok(see_other("/admin/machines"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_payment_method_has_a_label_in_every_language() {
        for lang in Lang::ALL {
            let t = Tr::new(lang, "UTC");
            for p in PAYMENTS {
                assert_ne!(payment_label(t, p), "[?]", "{p} in {}", lang.code());
            }
        }
    }

    #[test]
    fn the_form_reads_repeated_checkboxes_and_so_m() {
        let f = MachineForm::parse(
            b"_csrf=x&number=VH-900&accepted_payments=cash&accepted_payments=payme&cash_capacity=1500.5",
        );
        let input = f.input().unwrap();
        assert_eq!(input.number, "VH-900");
        assert_eq!(input.accepted_payments, Some(vec!["cash".into(), "payme".into()]));
        assert_eq!(input.cash_capacity, Some(150_050));
        assert!(MachineForm::parse(b"cash_capacity=abc").input().is_err());
    }
}
