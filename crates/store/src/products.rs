//! Products (the catalog): SKU per organization, names in uz/ru/en, price and cost in tiyin, IKPU code.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::products;
use crate::scope::TenantScope;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = products)]
pub struct ProductRow {
    pub id: String,
    pub organization_id: String,
    pub sku: String,
    pub barcode: Option<String>,
    pub name_uz: String,
    pub name_ru: String,
    pub name_en: String,
    pub unit: String,
    pub price: i64,
    pub cost: i64,
    pub vat_rate: i32,
    pub ikpu_code: Option<String>,
    pub package_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub category_id: Option<String>,
    pub image_key: Option<String>,
}

pub fn insert(conn: &mut DbConn, scope: &TenantScope, row: &ProductRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::insert_into(products::table)
        .values(row)
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn list(conn: &mut DbConn, scope: &TenantScope) -> Result<Vec<ProductRow>, StoreError> {
    Ok(products::table
        .filter(products::organization_id.eq(scope.org()))
        .filter(products::deleted_at.is_null())
        .order(products::sku.asc())
        .select(ProductRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<Option<ProductRow>, StoreError> {
    Ok(products::table
        .filter(products::organization_id.eq(scope.org()))
        .filter(products::id.eq(id))
        .filter(products::deleted_at.is_null())
        .select(ProductRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn page(
    conn: &mut DbConn,
    scope: &TenantScope,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ProductRow>, i64), StoreError> {
    let build = || {
        let mut b = products::table
            .filter(products::organization_id.eq(scope.org()))
            .filter(products::deleted_at.is_null())
            .into_boxed();
        if let Some(q) = q {
            let p = format!("%{}%", q.to_lowercase());
            b = b.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("(lower(sku) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR lower(name_en) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR lower(name_uz) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR lower(name_ru) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p.clone())
                    .sql(" OR COALESCE(barcode, '') LIKE ")
                    .bind::<diesel::sql_types::Text, _>(p)
                    .sql(")"),
            );
        }
        b
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order(products::sku.asc())
        .offset(offset)
        .limit(limit)
        .select(ProductRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut DbConn, scope: &TenantScope, row: &ProductRow) -> Result<(), StoreError> {
    scope.check(&row.organization_id)?;
    diesel::update(products::table.find(&row.id))
        .filter(products::organization_id.eq(scope.org()))
        .set((
            products::sku.eq(&row.sku),
            products::barcode.eq(&row.barcode),
            products::name_uz.eq(&row.name_uz),
            products::name_ru.eq(&row.name_ru),
            products::name_en.eq(&row.name_en),
            products::unit.eq(&row.unit),
            products::price.eq(row.price),
            products::cost.eq(row.cost),
            products::vat_rate.eq(row.vat_rate),
            products::ikpu_code.eq(&row.ikpu_code),
            products::package_code.eq(&row.package_code),
            products::category_id.eq(&row.category_id),
            products::image_key.eq(&row.image_key),
            products::updated_at.eq(crate::now()),
        ))
        .execute(conn)
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub fn soft_delete(conn: &mut DbConn, scope: &TenantScope, id: &str) -> Result<bool, StoreError> {
    let n = diesel::update(products::table.find(id))
        .filter(products::organization_id.eq(scope.org()))
        .filter(products::deleted_at.is_null())
        .set((
            products::deleted_at.eq(Some(crate::now())),
            products::sku.eq(diesel::dsl::sql::<diesel::sql_types::Text>(
                "sku || '~deleted~' || id",
            )),
            products::barcode.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
