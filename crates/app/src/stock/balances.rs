//! The stock of warehouses and operators, with its value at average cost.

use serde::Serialize;
use vendhub_domain::ids::{UserId, WarehouseId};
use vendhub_domain::stock::Holder;
use vendhub_store::{TenantScope, products, stock};

use crate::auth::Principal;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BalanceView {
    pub holder: String,
    pub product_id: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Average cost per unit, tiyin.
    pub avg_cost: i64,
    /// quantity × average cost, tiyin.
    pub value: i64,
}

pub(super) async fn balances_with_products(
    app: &App,
    scope: &TenantScope,
    prefix: String,
) -> Result<Vec<BalanceView>, AppError> {
    let scope = scope.clone();
    let rows = app
        .db()
        .run(move |c| {
            let rows = stock::balances(c, &scope, &prefix, false)?;
            let catalog = products::list(c, &scope)?;
            Ok((rows, catalog))
        })
        .await?;
    let (rows, catalog) = rows;
    let by_id: std::collections::HashMap<&str, &products::ProductRow> =
        catalog.iter().map(|p| (p.id.as_str(), p)).collect();
    Ok(rows
        .into_iter()
        .map(|b| {
            let p = by_id.get(b.product_id.as_str());
            BalanceView {
                value: b.quantity.saturating_mul(b.avg_cost),
                sku: p.map(|p| p.sku.clone()).unwrap_or_default(),
                name: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                holder: b.holder,
                product_id: b.product_id,
                quantity: b.quantity,
                avg_cost: b.avg_cost,
            }
        })
        .collect())
}

/// Stock in every warehouse (or one), with value at average cost.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn warehouse_stock(
    app: &App,
    who: &Principal,
    warehouse: Option<WarehouseId>,
) -> Result<Vec<BalanceView>, AppError> {
    let prefix = warehouse.map_or_else(|| "warehouse:".to_owned(), |w| Holder::Warehouse(w).to_string());
    balances_with_products(app, who.scope(), prefix).await
}

/// An operator's stock: their own, or (for those who may read all stock) anyone's.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn operator_stock(
    app: &App,
    who: &Principal,
    operator: Option<UserId>,
) -> Result<Vec<BalanceView>, AppError> {
    use vendhub_domain::roles::Permission;
    let target = operator.unwrap_or(who.user_id());
    if target != who.user_id() {
        who.require(Permission::StockRead)?;
    }
    balances_with_products(app, who.scope(), Holder::Operator(target).to_string()).await
}
