//! `/admin/stock/purchase`: stock received into a warehouse, the unit cost typed in so'm.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::stock::{self, Purchase};
use vendhub_domain::ids::WarehouseId;
use vendhub_domain::roles::Permission;

use super::{Names, Opt, given, invalid, name_unknown_product, parse_som, product_id, query};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

#[derive(Template)]
#[template(path = "admin/stock/purchase.html")]
struct PurchasePage {
    page: PageCtx,
    warehouses: Vec<Opt>,
    products: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub(super) struct Chosen {
    warehouse_id: Option<String>,
    product_id: Option<String>,
    #[serde(rename = "lang")]
    _lang: Option<String>,
}

pub(super) async fn form(
    State(s): State<HttpState>,
    panel: Panel,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let c: Chosen = query(raw.as_deref())?;
    let names = Names::load(&s, &panel.who, panel.page.t, true).await?;
    page(&PurchasePage {
        warehouses: names.warehouse_options(given(c.warehouse_id).as_deref()),
        products: names.product_options(given(c.product_id).as_deref()),
        page: panel.page,
    })
}

#[derive(Deserialize)]
pub(super) struct PurchaseForm {
    warehouse_id: String,
    product_id: String,
    quantity: i64,
    /// So'm per unit, as a person types it.
    unit_cost: String,
}

pub(super) async fn submit(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<PurchaseForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let warehouse: WarehouseId = f
        .warehouse_id
        .trim()
        .parse()
        .map_err(|_| invalid("warehouse_id", "no such warehouse"))?;
    let product = product_id(&f.product_id)?;
    let unit_cost = parse_som(&f.unit_cost).map_err(|m| invalid("unit_cost", m))?;
    let req = Purchase {
        warehouse,
        product_id: product.to_string(),
        quantity: f.quantity,
        unit_cost,
    };
    match stock::purchase(&s.app, &panel.who, req, &meta).await {
        Ok(_) => Ok(see_other(&format!("/admin/stock/warehouses/{warehouse}"))),
        Err(e) => Err(name_unknown_product(&s, &panel.who, product, e).await),
    }
}
