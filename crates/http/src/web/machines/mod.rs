//! Machines: `/admin/machines` (list, filters, map) and `/admin/machines/{id}` (live status, planogram,
//! sales, telemetry, DEX, tasks, API keys, QR, move). One file per sub-area; this module holds their
//! routes and what they share (labels, ids from the path, the lists forms pick from).

mod details;
mod edit;
mod keys;
mod list;
mod moves;
mod planogram;
mod qr;

use axum::Router;
use axum::routing::{get, post};
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_app::paging::PageRequest;
use vendhub_domain::ids::MachineId;
use vendhub_domain::machine::{MachineStatus, MachineType};
use vendhub_domain::roles::Permission;

use super::WebError;
use super::i18n::Tr;
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/machines", get(list::list).post(edit::create))
        .route("/admin/machines/new", get(edit::new))
        .route("/admin/machines/{id}", get(details::show))
        .route("/admin/machines/{id}/edit", get(edit::edit).post(edit::update))
        .route("/admin/machines/{id}/delete", post(edit::delete))
        .route("/admin/machines/{id}/slots", post(planogram::save_slot))
        .route(
            "/admin/machines/{id}/planogram/template",
            post(planogram::apply_template),
        )
        .route(
            "/admin/machines/{id}/planogram/save-as-template",
            post(planogram::save_as_template),
        )
        .route("/admin/machines/{id}/keys", post(keys::create))
        .route("/admin/machines/{id}/keys/{key_id}/revoke", post(keys::revoke))
        .route("/admin/machines/{id}/move", post(moves::move_machine))
        .route("/admin/machines/{id}/qr.svg", get(qr::svg))
}

/// A machine id from the path: one that is not a UUID names no machine (404, as another
/// organization's does).
fn machine_id(id: &str) -> Result<MachineId, WebError> {
    id.parse().map_err(|_| WebError::App(AppError::NotFound))
}

/// A status's label in the page's language.
fn status_label(t: Tr, status: &str) -> &'static str {
    t.t(&format!("machines.status.{status}"))
}

/// A type's label in the page's language.
fn type_label(t: Tr, machine_type: &str) -> &'static str {
    t.t(&format!("machines.type.{machine_type}"))
}

/// Every status with its label (filters, and the live badge's `data-label-*`).
fn statuses(t: Tr) -> Vec<(&'static str, &'static str)> {
    MachineStatus::ALL
        .into_iter()
        .map(|s| (s.as_str(), status_label(t, s.as_str())))
        .collect()
}

/// Every type with its label.
fn types(t: Tr) -> Vec<(&'static str, &'static str)> {
    MachineType::ALL
        .into_iter()
        .map(|m| (m.as_str(), type_label(t, m.as_str())))
        .collect()
}

/// The first page a picker shows (locations, products): the most a page holds.
fn picker_page() -> PageRequest {
    PageRequest {
        page: 1,
        limit: PageRequest::MAX_LIMIT,
    }
}

/// The organization's operators as `(id, name)`, for people who may read the staff list (the users
/// use case is theirs); others get none, and filter by the operator's id in the address only.
async fn operators(state: &HttpState, who: &Principal) -> Result<Vec<(String, String)>, AppError> {
    if !who.role().can(Permission::UsersManage) {
        return Ok(Vec::new());
    }
    let members = vendhub_app::users::list(&state.app, who, picker_page()).await?;
    Ok(members
        .data
        .into_iter()
        .filter(|m| m.role == "operator")
        .map(|m| (m.id, m.full_name))
        .collect())
}

/// The organization's locations as `(id, name)`.
async fn location_names(state: &HttpState, who: &Principal) -> Result<Vec<(String, String)>, AppError> {
    let found = vendhub_app::locations::list(&state.app, who, None, picker_page()).await?;
    Ok(found.data.into_iter().map(|l| (l.id, l.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_status_and_type_has_a_label_in_every_language() {
        for lang in Lang::ALL {
            let t = Tr::new(lang, "UTC");
            for (value, label) in statuses(t).into_iter().chain(types(t)) {
                assert_ne!(label, "[?]", "{value} in {}", lang.code());
            }
            for status in vendhub_domain::tasks::TaskStatus::ALL {
                let key = format!("machines.task_status.{}", status.as_str());
                assert_ne!(t.t(&key), "[?]", "{key} in {}", lang.code());
            }
            assert_ne!(t.t("machines.me"), "[?]", "machines.me in {}", lang.code());
            for contract in ["rent", "revenue_share"] {
                let key = format!("catalog.locations.{contract}");
                assert_ne!(t.t(&key), "[?]", "{key} in {}", lang.code());
            }
        }
    }
}
