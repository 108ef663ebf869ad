//! Products with their images, and their categories: lists, create and edit forms, the image upload —
//! the use cases of `/api/v1/products` and `/api/v1/categories`.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::paging::PageRequest;
use vendhub_app::products::{self, CategoryView, ProductInput, ProductView};
use vendhub_domain::ids::ProductId;
use vendhub_domain::roles::Permission;

use super::fields::{FieldErrors, som_field};
use super::product_name;
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

/// The form's fields as typed (empty for a new product).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProductForm {
    sku: String,
    barcode: String,
    name_uz: String,
    name_ru: String,
    name_en: String,
    unit: String,
    price: String,
    cost: String,
    vat_rate: String,
    ikpu_code: String,
    package_code: String,
    category_id: String,
}

impl ProductForm {
    fn of(p: &ProductView) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            sku: p.sku.clone(),
            barcode: text(&p.barcode),
            name_uz: p.name.uz.clone(),
            name_ru: p.name.ru.clone(),
            name_en: p.name.en.clone(),
            unit: p.unit.clone(),
            price: som_field(p.price),
            cost: som_field(p.cost),
            vat_rate: p.vat_rate.to_string(),
            ikpu_code: text(&p.ikpu_code),
            package_code: text(&p.package_code),
            category_id: text(&p.category_id),
        }
    }

    fn input(self) -> Result<ProductInput, AppError> {
        let mut e = FieldErrors::default();
        let input = ProductInput {
            barcode: FieldErrors::text(&self.barcode),
            unit: FieldErrors::text(&self.unit),
            price: e.required_som("price", &self.price),
            cost: e.som("cost", &self.cost),
            vat_rate: e
                .whole("vat_rate", &self.vat_rate)
                .map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
            ikpu_code: FieldErrors::text(&self.ikpu_code),
            package_code: FieldErrors::text(&self.package_code),
            category_id: FieldErrors::text(&self.category_id),
            sku: self.sku.trim().to_owned(),
            name_uz: self.name_uz,
            name_ru: self.name_ru,
            name_en: self.name_en,
        };
        e.finish()?;
        Ok(input)
    }
}

/// A category to pick, marked when it is the product's.
struct CategoryOpt {
    id: String,
    name: String,
    selected: bool,
}

fn category_opts(all: &[CategoryView], chosen: &str) -> Vec<CategoryOpt> {
    all.iter()
        .map(|c| CategoryOpt {
            id: c.id.clone(),
            name: c.name.clone(),
            selected: c.id == chosen,
        })
        .collect()
}

struct Row {
    id: String,
    sku: String,
    name: String,
    price: String,
    category: String,
    has_image: bool,
}

#[derive(Template)]
#[template(path = "admin/catalog/products.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    q: String,
    form: ProductForm,
    categories: Vec<CategoryOpt>,
    units: Vec<UnitOpt>,
}

#[derive(Template)]
#[template(path = "admin/catalog/product_edit.html")]
struct EditPage {
    page: PageCtx,
    id: String,
    name: String,
    has_image: bool,
    form: ProductForm,
    categories: Vec<CategoryOpt>,
    units: Vec<UnitOpt>,
}

/// A unit to pick, with its label, marked when it is the product's.
struct UnitOpt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn unit_opts(t: crate::web::i18n::Tr, chosen: &str) -> Vec<UnitOpt> {
    products::UNITS
        .into_iter()
        .map(|u| UnitOpt {
            value: u,
            label: t.t(&format!("catalog.units.{u}")),
            selected: u == chosen,
        })
        .collect()
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
}

fn product_id(id: &str) -> Result<ProductId, WebError> {
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
    let (found, categories) = tokio::try_join!(
        products::list(&state.app, &panel.who, q.clone(), all),
        products::categories(&state.app, &panel.who),
    )?;
    let t = panel.page.t;
    let rows = found
        .data
        .iter()
        .map(|p| Row {
            id: p.id.clone(),
            sku: p.sku.clone(),
            name: product_name(t, &p.name),
            price: t.money(p.price),
            category: p
                .category_id
                .as_deref()
                .and_then(|c| categories.iter().find(|k| k.id == c))
                .map_or_else(String::new, |k| k.name.clone()),
            has_image: p.has_image,
        })
        .collect();
    page(&ListPage {
        page: panel.page,
        rows,
        q: q.unwrap_or_default(),
        form: ProductForm {
            vat_rate: "12".into(),
            ..ProductForm::default()
        },
        categories: category_opts(&categories, ""),
        units: unit_opts(t, "pcs"),
    })
}

pub(super) async fn create(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<ProductForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let created = products::create(&state.app, &panel.who, f.input()?, &meta).await?;
    Ok(see_other(&format!("/admin/products/{}", created.id)))
}

pub(super) async fn edit(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let id = product_id(&id)?;
    let (p, categories) = tokio::try_join!(
        products::get(&state.app, &panel.who, id),
        products::categories(&state.app, &panel.who),
    )?;
    let form = ProductForm::of(&p);
    page(&EditPage {
        units: unit_opts(panel.page.t, &form.unit),
        name: product_name(panel.page.t, &p.name),
        categories: category_opts(&categories, &form.category_id),
        page: panel.page,
        id: p.id,
        has_image: p.has_image,
        form,
    })
}

pub(super) async fn update(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<ProductForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = product_id(&id)?;
    products::update(&state.app, &panel.who, id, f.input()?, &meta).await?;
    Ok(see_other(&format!("/admin/products/{id}")))
}

/// The product's image, as `GET /api/v1/products/{id}/image` serves it.
pub(super) async fn image(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let (bytes, content_type) = products::image(&state.app, &panel.who, product_id(&id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// The upload form (multipart, field `image`): the use case checks the type by content and the size.
pub(super) async fn upload_image(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    let id = product_id(&id)?;
    let no_file = || AppError::Validation(vec![FieldError::new("image", "choose a file")]);
    let mut bytes = None;
    while let Some(field) = form.next_field().await.map_err(|_| no_file())? {
        if field.name() == Some("image") {
            bytes = Some(field.bytes().await.map_err(|_| AppError::TooLarge {
                limit: u64::try_from(state.config.upload_limit).unwrap_or(u64::MAX),
            })?);
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(no_file)?;
    products::set_image(&state.app, &panel.who, id, bytes, &meta).await?;
    Ok(see_other(&format!("/admin/products/{id}")))
}

#[derive(Deserialize)]
pub(super) struct CategoryForm {
    #[serde(default)]
    name: String,
}

pub(super) async fn create_category(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<CategoryForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetManage)?;
    products::create_category(&state.app, &panel.who, &f.name, &meta).await?;
    Ok(see_other("/admin/products#categories"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, Tr};

    #[test]
    fn every_unit_has_a_label_in_every_language() {
        for lang in Lang::ALL {
            for u in unit_opts(Tr::new(lang, "UTC"), "") {
                assert_ne!(u.label, "[?]", "{} in {}", u.value, lang.code());
            }
        }
    }
}
