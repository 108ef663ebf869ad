//! Who holds stock, by name: the organization's warehouses and its people (for naming holders in the
//! panel's tables and offering them in its forms), and every operator's stock at once.

use serde::Serialize;
use vendhub_domain::roles::Permission;
use vendhub_store::{users, warehouses};

use super::BalanceView;
use super::balances::balances_with_products;
use crate::auth::Principal;
use crate::{App, AppError};

/// A holder that can be named: a warehouse or a person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolderName {
    /// `warehouse:<id>` or `operator:<user id>`.
    pub holder: String,
    pub id: String,
    pub name: String,
    /// `warehouse`, or the person's role.
    pub role: String,
}

/// The organization's warehouses and people as stock holders (warehouses first, then people by name).
/// Needs stock read permission.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn holders(app: &App, who: &Principal) -> Result<Vec<HolderName>, AppError> {
    who.require(Permission::StockRead)?;
    let scope = who.scope().clone();
    let (stores, (people, _)) = app
        .db()
        .run(move |c| {
            Ok((
                warehouses::list(c, &scope)?,
                users::list_members(c, &scope, 0, 10_000)?,
            ))
        })
        .await?;
    let mut out: Vec<HolderName> = stores
        .into_iter()
        .map(|w| HolderName {
            holder: format!("warehouse:{}", w.id),
            id: w.id,
            name: w.name,
            role: "warehouse".into(),
        })
        .collect();
    let mut persons: Vec<HolderName> = people
        .into_iter()
        .map(|(u, m)| HolderName {
            holder: format!("operator:{}", u.id),
            id: u.id,
            name: u.full_name,
            role: m.role,
        })
        .collect();
    persons.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(persons);
    Ok(out)
}

/// The stock every operator (person) holds, with its value at average cost. Needs stock read permission.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn operators_stock(app: &App, who: &Principal) -> Result<Vec<BalanceView>, AppError> {
    who.require(Permission::StockRead)?;
    balances_with_products(app, who.scope(), "operator:".to_owned()).await
}
