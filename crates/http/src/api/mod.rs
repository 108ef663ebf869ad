//! `/api/v1`: one module per area.

pub mod audit;
pub mod auth;
pub mod cash_collections;
pub mod dashboard;
pub mod gateway;
pub mod invites;
pub mod locations;
pub mod machine_keys;
pub mod machines;
pub mod orders;
pub mod organizations;
pub mod payment_accounts;
pub mod planogram_templates;
pub mod products;
pub mod stock;
pub mod tasks;
pub mod users;
pub mod warehouses;

use utoipa_axum::router::OpenApiRouter;

use crate::HttpState;

pub fn routes() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(invites::routes())
        .merge(organizations::routes())
        .merge(audit::routes())
        .merge(locations::routes())
        .merge(machines::routes())
        .merge(products::routes())
        .merge(planogram_templates::routes())
        .merge(warehouses::routes())
        .merge(stock::routes())
        .merge(tasks::routes())
        .merge(cash_collections::routes())
        .merge(dashboard::routes())
        .merge(machine_keys::routes())
        .merge(gateway::routes())
        .merge(orders::routes())
        .merge(payment_accounts::routes())
}
