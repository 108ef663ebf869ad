//! Product categories: a name unique per organization.

use serde::Serialize;
use vendhub_store::audit;

use crate::audit_record::Record;
use crate::auth::{Principal, RequestMeta};
use crate::error::FieldError;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn categories(app: &App, who: &Principal) -> Result<Vec<CategoryView>, AppError> {
    let scope = who.scope().clone();
    let rows = app
        .db()
        .run(move |c| vendhub_store::categories::list(c, &scope))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| CategoryView {
            id: r.id,
            name: r.name,
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn create_category(
    app: &App,
    who: &Principal,
    name: &str,
    meta: &RequestMeta,
) -> Result<CategoryView, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            "must be 1 to 100 characters",
        )]));
    }
    let row = vendhub_store::categories::CategoryRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: who.organization_id().to_string(),
        name,
        created_at: app.now(),
        deleted_at: None,
    };
    let (stored, who2, meta) = (row.clone(), who.clone(), meta.clone());
    app.write(move |c| {
        vendhub_store::categories::insert(c, who2.scope(), &stored)
            .map_err(AppError::conflict_as("name: a category with this name exists"))?;
        audit::append(
            c,
            &Record::new("category.create", "category", &stored.id)
                .by(&who2)
                .from(&meta)
                .after(Some(serde_json::json!({ "name": stored.name })))
                .done(),
        )?;
        Ok(())
    })
    .await?;
    Ok(CategoryView {
        id: row.id,
        name: row.name,
    })
}
