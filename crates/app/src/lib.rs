//! VendHub's use cases. Each area is a module of plain functions over the store and the ports; HTTP,
//! CLI and jobs call these and nothing below them.

pub mod audit;
pub mod audit_record;
pub mod auth;
pub mod cash_collections;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod events;
pub mod fleet_metrics;
pub mod gateway;
pub mod health;
pub mod invites;
pub mod locations;
pub mod machines;
pub mod orders;
pub mod organizations;
pub mod paging;
pub mod payments;
pub mod planograms;
pub mod ports;
pub mod prekit;
pub mod products;
pub mod setup;
pub mod state;
pub mod stock;
pub mod stocktakes;
pub mod tasks;
pub mod users;
pub mod warehouses;

pub use error::{AppError, Rule};
pub use state::{App, Kept};
