//! Locations: the list with its create form, and the edit form — the use cases of `/api/v1/locations`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::locations::{self, LocationInput, LocationView};
use vendhub_app::paging::PageRequest;
use vendhub_domain::ids::LocationId;
use vendhub_domain::roles::Permission;

use super::fields::{FieldErrors, som_field};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

/// The form's fields as typed (empty for a new location).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LocationForm {
    name: String,
    address: String,
    latitude: String,
    longitude: String,
    contact_name: String,
    contact_phone: String,
    opening_hours: String,
    contract_type: String,
    rent_amount: String,
    revenue_share_percent: String,
}

impl LocationForm {
    fn of(l: &LocationView) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: l.name.clone(),
            address: l.address.clone(),
            latitude: l.latitude.map_or_else(String::new, |v| v.to_string()),
            longitude: l.longitude.map_or_else(String::new, |v| v.to_string()),
            contact_name: text(&l.contact_name),
            contact_phone: text(&l.contact_phone),
            opening_hours: text(&l.opening_hours),
            contract_type: l.contract_type.clone(),
            rent_amount: som_field(l.rent_amount),
            revenue_share_percent: l.revenue_share_percent.to_string(),
        }
    }

    fn input(self) -> Result<LocationInput, AppError> {
        let mut e = FieldErrors::default();
        let share = e
            .whole("revenue_share_percent", &self.revenue_share_percent)
            .map(|p| i32::try_from(p).unwrap_or(i32::MAX));
        let input = LocationInput {
            latitude: e.decimal("latitude", &self.latitude),
            longitude: e.decimal("longitude", &self.longitude),
            contact_name: FieldErrors::text(&self.contact_name),
            contact_phone: FieldErrors::text(&self.contact_phone),
            opening_hours: FieldErrors::text(&self.opening_hours),
            contract_type: FieldErrors::text(&self.contract_type),
            rent_amount: e.som("rent_amount", &self.rent_amount),
            revenue_share_percent: share,
            name: self.name,
            address: self.address.trim().to_owned(),
        };
        e.finish()?;
        Ok(input)
    }

    fn is_share(&self) -> bool {
        self.contract_type == "revenue_share"
    }
}

struct Row {
    id: String,
    name: String,
    address: String,
    contract: &'static str,
    coordinates: String,
}

#[derive(Template)]
#[template(path = "admin/catalog/locations.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    q: String,
    form: LocationForm,
}

#[derive(Template)]
#[template(path = "admin/catalog/location_edit.html")]
struct EditPage {
    page: PageCtx,
    id: String,
    form: LocationForm,
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
}

fn location_id(id: &str) -> Result<LocationId, WebError> {
    id.parse().map_err(|_| WebError::App(AppError::NotFound))
}

pub(super) async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let q = q.q.filter(|s| !s.trim().is_empty());
    let all = PageRequest {
        page: 1,
        limit: PageRequest::MAX_LIMIT,
    };
    let found = locations::list(&state.app, &panel.who, q.clone(), all).await?;
    let t = panel.page.t;
    let rows = found
        .data
        .into_iter()
        .map(|l| Row {
            contract: t.t(&format!("catalog.locations.{}", l.contract_type)),
            coordinates: match (l.latitude, l.longitude) {
                (Some(a), Some(b)) => format!("{a:.5}, {b:.5}"),
                _ => "—".to_owned(),
            },
            id: l.id,
            name: l.name,
            address: l.address,
        })
        .collect();
    page(&ListPage {
        page: panel.page,
        rows,
        q: q.unwrap_or_default(),
        form: LocationForm::default(),
    })
}

pub(super) async fn create(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<LocationForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let created = locations::create(&state.app, &panel.who, f.input()?, &meta).await?;
    Ok(see_other(&format!("/admin/locations/{}", created.id)))
}

pub(super) async fn edit(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let l = locations::get(&state.app, &panel.who, location_id(&id)?).await?;
    page(&EditPage {
        page: panel.page,
        form: LocationForm::of(&l),
        id: l.id,
    })
}

pub(super) async fn update(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<LocationForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = location_id(&id)?;
    locations::update(&state.app, &panel.who, id, f.input()?, &meta).await?;
    Ok(see_other("/admin/locations"))
}
