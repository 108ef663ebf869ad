//! Machines, planograms and the stock ledger through the API, on the demo fleet: one file per
//! sub-area, with the fixtures they share here.

mod machines;
mod planograms;
mod prekit;
mod products;
mod stock;
mod warehouses;

use vendhub_testkit::TestApp;
use vendhub_testkit::api::{an_operator, get};

/// (warehouse id, a product id, an operator's user id) of the demo fleet.
async fn demo_refs(app: &TestApp, t: &str) -> (String, String, String) {
    let (_, warehouses) = get(app, "/api/v1/warehouses", t).await;
    let (_, stock) = get(app, "/api/v1/inventory/warehouse", t).await;
    (
        warehouses[0]["id"].as_str().unwrap().to_owned(),
        stock[0]["product_id"].as_str().unwrap().to_owned(),
        an_operator(app, t).await,
    )
}
