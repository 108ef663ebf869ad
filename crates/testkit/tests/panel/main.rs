//! The admin panel through HTTP (a cookie jar, forms as pages post them) and in headless Chromium, on
//! SQLite or (with `TEST_DATABASE_URL`) PostgreSQL. One module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the first surprise"
)]

mod audit;
mod browser;
mod catalog;
mod collections;
mod customer;
mod dashboard;
mod fill;
mod machines;
mod orders;
mod payments;
mod people;
mod settings;
mod sign_in;
mod stock;
mod tasks;
