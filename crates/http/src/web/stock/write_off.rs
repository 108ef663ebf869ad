//! `/admin/stock/write-off`: stock written off a holder for a reason (spoiled, expired, damaged); more
//! than the holder has is refused (422) and nothing is written.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::stock::{self, WriteOff};
use vendhub_domain::roles::Permission;
use vendhub_domain::stock::WriteOffReason;

use super::{Names, Opt, given, holder, invalid, name_unknown_product, product_id, query};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

#[derive(Template)]
#[template(path = "admin/stock/write_off.html")]
struct WriteOffPage {
    page: PageCtx,
    holders: Vec<Opt>,
    products: Vec<Opt>,
    reasons: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub(super) struct Chosen {
    holder: Option<String>,
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
    page(&WriteOffPage {
        holders: names.holder_options(t, given(c.holder).as_deref()),
        products: names.product_options(given(c.product_id).as_deref()),
        reasons: WriteOffReason::ALL
            .iter()
            .map(|r| Opt::new(r.as_str(), t.t(&format!("stock.reasons.{}", r.as_str())), None))
            .collect(),
        page: panel.page,
    })
}

#[derive(Deserialize)]
pub(super) struct WriteOffForm {
    holder: String,
    product_id: String,
    quantity: i64,
    reason: String,
}

pub(super) async fn submit(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<WriteOffForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let product = product_id(&f.product_id)?;
    let reason: WriteOffReason = f
        .reason
        .trim()
        .parse()
        .map_err(|_| invalid("reason", "must be spoiled, expired or damaged"))?;
    let req = WriteOff {
        product_id: product.to_string(),
        holder: holder("holder", &f.holder)?,
        quantity: f.quantity,
        reason,
    };
    match stock::write_off(&s.app, &panel.who, req, &meta).await {
        Ok(_) => Ok(see_other("/admin/stock")),
        Err(e) => Err(name_unknown_product(&s, &panel.who, product, e).await),
    }
}
