//! VendHub's domain: pure types and rules shared by every layer. No I/O, no async, no database.

pub mod audit;
pub mod dex;
pub mod email;
pub mod ids;
pub mod jobs;
pub mod machine;
pub mod money;
pub mod orders;
pub mod payments;
pub mod planogram;
pub mod prekit;
pub mod roles;
pub mod stock;
pub mod tasks;
