//! The catalog: products with SKU and barcode unique per organization, names in uz/ru/en, unit, price and
//! cost in tiyin, VAT rate, IKPU/MXIK and package codes; their categories (`categories`) and images
//! (`images`).

mod categories;
mod images;

pub use categories::{CategoryView, categories, create_category};
pub use images::{ImageKind, image, set_image};

use serde::Serialize;
use vendhub_domain::ids::ProductId;
use vendhub_store::products::{self, ProductRow};
use vendhub_store::{TenantScope, audit};

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// The units a product is sold in.
pub const UNITS: [&str; 3] = ["pcs", "g", "ml"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Names {
    pub uz: String,
    pub ru: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: String,
    pub sku: String,
    pub barcode: Option<String>,
    pub name: Names,
    /// pcs, g or ml.
    pub unit: String,
    /// Tiyin, VAT included.
    pub price: i64,
    /// Tiyin.
    pub cost: i64,
    pub vat_rate: i32,
    /// The VAT the price includes, tiyin.
    pub vat_amount: i64,
    pub ikpu_code: Option<String>,
    pub package_code: Option<String>,
    pub category_id: Option<String>,
    /// Whether an image was uploaded (`GET /api/v1/products/{id}/image`).
    pub has_image: bool,
}

pub(super) fn view(p: ProductRow) -> ProductView {
    let vat = u8::try_from(p.vat_rate)
        .ok()
        .and_then(|r| vendhub_domain::money::Tiyin::new(p.price).included_vat(r).ok())
        .map_or(0, vendhub_domain::money::Tiyin::get);
    ProductView {
        id: p.id,
        sku: p.sku,
        barcode: p.barcode,
        name: Names {
            uz: p.name_uz,
            ru: p.name_ru,
            en: p.name_en,
        },
        unit: p.unit,
        price: p.price,
        cost: p.cost,
        vat_rate: p.vat_rate,
        vat_amount: vat,
        ikpu_code: p.ikpu_code,
        package_code: p.package_code,
        category_id: p.category_id,
        has_image: p.image_key.is_some(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub sku: String,
    pub barcode: Option<String>,
    pub name_uz: String,
    pub name_ru: String,
    pub name_en: String,
    pub unit: Option<String>,
    pub price: i64,
    pub cost: Option<i64>,
    pub vat_rate: Option<i32>,
    pub ikpu_code: Option<String>,
    pub package_code: Option<String>,
    pub category_id: Option<String>,
}

fn validate(i: &ProductInput) -> Vec<FieldError> {
    let mut e = Vec::new();
    if i.sku.is_empty()
        || i.sku.len() > 64
        || !i
            .sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        e.push(FieldError::new(
            "sku",
            "must be 1 to 64 letters, digits, '-', '_' or '.'",
        ));
    }
    if i.barcode
        .as_ref()
        .is_some_and(|b| b.is_empty() || b.len() > 32 || !b.chars().all(|c| c.is_ascii_digit()))
    {
        e.push(FieldError::new("barcode", "must be 1 to 32 digits"));
    }
    for (f, v) in [
        ("name_uz", &i.name_uz),
        ("name_ru", &i.name_ru),
        ("name_en", &i.name_en),
    ] {
        if v.trim().is_empty() || v.chars().count() > 200 {
            e.push(FieldError::new(f, "must be 1 to 200 characters"));
        }
    }
    if i.unit.as_ref().is_some_and(|u| !UNITS.contains(&u.as_str())) {
        e.push(FieldError::new("unit", "must be pcs, g or ml"));
    }
    if !(0..=1_000_000_000_000).contains(&i.price) {
        e.push(FieldError::new(
            "price",
            "must be from 0 to 10 000 000 000 so'm, in tiyin",
        ));
    }
    if i.cost.is_some_and(|c| !(0..=1_000_000_000_000).contains(&c)) {
        e.push(FieldError::new(
            "cost",
            "must be from 0 to 10 000 000 000 so'm, in tiyin",
        ));
    }
    if i.vat_rate.is_some_and(|v| !(0..=100).contains(&v)) {
        e.push(FieldError::new("vat_rate", "must be from 0 to 100"));
    }
    if i.ikpu_code
        .as_ref()
        .is_some_and(|c| c.len() != 17 || !c.chars().all(|d| d.is_ascii_digit()))
    {
        e.push(FieldError::new(
            "ikpu_code",
            "must be the 17-digit IKPU/MXIK code",
        ));
    }
    if i.package_code
        .as_ref()
        .is_some_and(|c| c.is_empty() || c.len() > 20 || !c.chars().all(|d| d.is_ascii_digit()))
    {
        e.push(FieldError::new("package_code", "must be 1 to 20 digits"));
    }
    e
}

pub(super) fn conflict(e: vendhub_store::StoreError) -> AppError {
    match e {
        vendhub_store::StoreError::Conflict(c) if c.contains("barcode") => {
            AppError::Conflict("barcode: already used by another product".into())
        }
        vendhub_store::StoreError::Conflict(_) => {
            AppError::Conflict("sku: already used by another product".into())
        }
        other => other.into(),
    }
}

fn row(
    i: &ProductInput,
    id: String,
    org: String,
    created: chrono::NaiveDateTime,
    keep: Option<&ProductRow>,
) -> ProductRow {
    ProductRow {
        id,
        organization_id: org,
        sku: i.sku.clone(),
        barcode: i.barcode.clone(),
        name_uz: i.name_uz.trim().to_owned(),
        name_ru: i.name_ru.trim().to_owned(),
        name_en: i.name_en.trim().to_owned(),
        unit: i.unit.clone().unwrap_or_else(|| "pcs".into()),
        price: i.price,
        cost: i.cost.unwrap_or(0),
        vat_rate: i.vat_rate.unwrap_or(12),
        ikpu_code: i.ikpu_code.clone(),
        package_code: i.package_code.clone(),
        created_at: created,
        updated_at: vendhub_store::now(),
        deleted_at: None,
        category_id: i.category_id.clone(),
        image_key: keep.and_then(|k| k.image_key.clone()),
    }
}

/// A product's category must be one of its organization's: another organization's category answers as
/// one that does not exist.
fn category_in_tenant(
    c: &mut vendhub_store::connection::DbConn,
    scope: &TenantScope,
    p: &ProductRow,
) -> Result<(), AppError> {
    match &p.category_id {
        Some(cat) if vendhub_store::categories::get(c, scope, cat)?.is_none() => Err(AppError::Validation(
            vec![FieldError::new("category_id", "no such category")],
        )),
        _ => Ok(()),
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create(
    app: &App,
    who: &Principal,
    input: ProductInput,
    meta: &RequestMeta,
) -> Result<ProductView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let r = row(
        &input,
        uuid::Uuid::now_v7().to_string(),
        who.organization_id().to_string(),
        app.now(),
        None,
    );
    let (stored, who2, meta) = (r.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        category_in_tenant(c, who2.scope(), &stored)?;
        products::insert(c, who2.scope(), &stored).map_err(conflict)?;
        audit::append(
            c,
            &Record::new("product.create", "product", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(serde_json::to_value(view(stored.clone())).ok())
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(view(r))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn get(app: &App, who: &Principal, id: ProductId) -> Result<ProductView, AppError> {
    let scope = who.scope().clone();
    app.db()
        .run(move |c| products::get(c, &scope, &id.to_string()))
        .await?
        .map(view)
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    q: Option<String>,
    page: PageRequest,
) -> Result<Paged<ProductView>, AppError> {
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| products::page(c, &scope, q.as_deref(), page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(rows.into_iter().map(view).collect(), page, total))
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn update(
    app: &App,
    who: &Principal,
    id: ProductId,
    input: ProductInput,
    meta: &RequestMeta,
) -> Result<ProductView, AppError> {
    let problems = validate(&input);
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let (who2, meta) = (who.clone(), meta.clone());
    app.write(move |c| {
        let Some(before) = products::get(c, who2.scope(), &id.to_string())? else {
            return Err(AppError::NotFound);
        };
        let after = row(
            &input,
            before.id.clone(),
            before.organization_id.clone(),
            before.created_at,
            Some(&before),
        );
        category_in_tenant(c, who2.scope(), &after)?;
        products::update(c, who2.scope(), &after).map_err(conflict)?;
        audit::append(
            c,
            &Record::new("product.update", "product", &after.id)
                .by(&who2)
                .from(&meta)
                .before(serde_json::to_value(view(before)).ok())
                .after(serde_json::to_value(view(after.clone())).ok())
                .done(),
        )?;
        Ok(view(after))
    })
    .await
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn delete(app: &App, who: &Principal, id: ProductId, meta: &RequestMeta) -> Result<(), AppError> {
    let (who2, meta, id) = (who.clone(), meta.clone(), id.to_string());
    app.write(move |c| {
        let Some(before) = products::get(c, who2.scope(), &id)? else {
            return Err(AppError::NotFound);
        };
        products::soft_delete(c, who2.scope(), &id)?;
        audit::append(
            c,
            &Record::new("product.delete", "product", &id)
                .by(&who2)
                .from(&meta)
                .before(serde_json::to_value(view(before)).ok())
                .done(),
        )?;
        Ok(())
    })
    .await
}
