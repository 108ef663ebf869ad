//! `/admin/stock/transfer`: stock moved between holders (warehouse → operator, operator → warehouse,
//! between warehouses); the ledger names the kind and refuses (422) a source without the stock.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::stock::{self, Transfer};
use vendhub_domain::roles::Permission;

use super::{Names, Opt, given, holder, name_unknown_product, product_id, query};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

#[derive(Template)]
#[template(path = "admin/stock/transfer.html")]
struct TransferPage {
    page: PageCtx,
    from: Vec<Opt>,
    to: Vec<Opt>,
    products: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub(super) struct Chosen {
    from: Option<String>,
    to: Option<String>,
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
    let t = panel.page.t;
    let names = Names::load(&s, &panel.who, t, true).await?;
    page(&TransferPage {
        from: names.holder_options(t, given(c.from).as_deref()),
        to: names.holder_options(t, given(c.to).as_deref()),
        products: names.product_options(given(c.product_id).as_deref()),
        page: panel.page,
    })
}

#[derive(Deserialize)]
pub(super) struct TransferForm {
    from: String,
    to: String,
    product_id: String,
    quantity: i64,
}

pub(super) async fn submit(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<TransferForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let product = product_id(&f.product_id)?;
    let req = Transfer {
        product_id: product.to_string(),
        from: holder("from", &f.from)?,
        to: holder("to", &f.to)?,
        quantity: f.quantity,
    };
    match stock::transfer(&s.app, &panel.who, req, &meta).await {
        Ok(_) => Ok(see_other("/admin/stock")),
        Err(e) => Err(name_unknown_product(&s, &panel.who, product, e).await),
    }
}
