//! `/admin/stock/stocktakes`: stocktakes of a warehouse's or an operator's stock — start one, enter the
//! counted quantities on its count sheet, close it (each difference becomes an adjustment movement valued
//! at cost, shown as shortage or surplus).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::stock::{self, BalanceView};
use vendhub_app::stocktakes::{self, StocktakeView};
use vendhub_domain::ids::StocktakeId;
use vendhub_domain::roles::Permission;
use vendhub_domain::stock::Holder;

use super::{Names, Opt, holder, invalid};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::i18n::Tr;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

/// The prefix of a count sheet's fields: `counted.<product id>`.
const COUNTED: &str = "counted.";

/// A stocktake in the list.
pub struct StocktakeRow {
    pub href: String,
    pub holder: String,
    pub open: bool,
    pub status: &'static str,
    pub started_at: String,
    pub closed_at: String,
}

#[derive(Template)]
#[template(path = "admin/stock/stocktakes.html")]
struct List {
    page: PageCtx,
    rows: Vec<StocktakeRow>,
    holders: Vec<Opt>,
}

fn status_label(t: Tr, status: &str) -> &'static str {
    t.t(&format!("stock.stocktake_status.{status}"))
}

pub(super) async fn list(State(s): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::StockRead)?;
    let (who, t) = (&panel.who, panel.page.t);
    let names = Names::load(&s, who, t, true).await?;
    let rows = stocktakes::list(&s.app, who)
        .await?
        .into_iter()
        .map(|v| StocktakeRow {
            href: format!("/admin/stock/stocktakes/{}", v.id),
            holder: names.holder(Some(&v.holder)),
            open: v.status == "open",
            status: status_label(t, &v.status),
            started_at: t.datetime(&v.started_at),
            closed_at: t.maybe(v.closed_at.as_ref()),
        })
        .collect();
    page(&List {
        holders: names.holder_options(t, None),
        page: panel.page,
        rows,
    })
}

#[derive(Deserialize)]
pub(super) struct StartForm {
    holder: String,
}

pub(super) async fn start(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<StartForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let h = holder("holder", &f.holder)?;
    let v = stocktakes::start(&s.app, &panel.who, h, &meta).await?;
    Ok(see_other(&format!("/admin/stock/stocktakes/{}", v.id)))
}

/// One line of the count sheet.
pub struct SheetLine {
    pub field: String,
    pub product: String,
    pub ledger: String,
    pub counted: String,
}

/// One difference of a closed stocktake.
pub struct DiffLine {
    pub product: String,
    pub discrepancy: &'static str,
    pub quantity: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "admin/stock/stocktake.html")]
struct Sheet {
    page: PageCtx,
    id: String,
    holder: String,
    open: bool,
    status: &'static str,
    started_at: String,
    closed_at: String,
    lines: Vec<SheetLine>,
    differences: Vec<DiffLine>,
    shortage: String,
    surplus: String,
}

fn stocktake_id(id: &str) -> Result<StocktakeId, WebError> {
    id.parse().map_err(|_| WebError::App(AppError::NotFound))
}

/// What the ledger says the holder has now.
async fn ledger_of(s: &HttpState, panel: &Panel, v: &StocktakeView) -> Result<Vec<BalanceView>, WebError> {
    Ok(match v.holder.parse::<Holder>() {
        Ok(Holder::Warehouse(w)) => stock::warehouse_stock(&s.app, &panel.who, Some(w)).await?,
        Ok(Holder::Operator(u)) => stock::operator_stock(&s.app, &panel.who, Some(u)).await?,
        _ => Vec::new(),
    })
}

pub(super) async fn sheet(
    State(s): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockRead)?;
    let id = stocktake_id(&id)?;
    let t = panel.page.t;
    let v = stocktakes::get(&s.app, &panel.who, id).await?;
    let names = Names::load(&s, &panel.who, t, true).await?;
    let ledger = ledger_of(&s, &panel, &v).await?;
    let counted: HashMap<&str, i64> = v
        .counts
        .iter()
        .map(|c| (c.product_id.as_str(), c.counted))
        .collect();
    let in_ledger: HashMap<&str, i64> = ledger
        .iter()
        .map(|b| (b.product_id.as_str(), b.quantity))
        .collect();
    let lines = names
        .products
        .iter()
        .map(|(pid, label)| SheetLine {
            field: format!("{COUNTED}{pid}"),
            product: label.clone(),
            ledger: t.number(in_ledger.get(pid.as_str()).copied().unwrap_or(0)),
            counted: counted
                .get(pid.as_str())
                .map(ToString::to_string)
                .unwrap_or_default(),
        })
        .collect();
    let differences = v
        .differences
        .iter()
        .map(|d| DiffLine {
            product: names.product(&d.product_id),
            discrepancy: t.t(&format!("stock.discrepancy.{}", d.discrepancy)),
            quantity: t.number(d.quantity),
            value: t.money(d.value),
        })
        .collect();
    page(&Sheet {
        id: v.id.clone(),
        holder: names.holder(Some(&v.holder)),
        open: v.status == "open",
        status: status_label(t, &v.status),
        started_at: t.datetime(&v.started_at),
        closed_at: t.maybe(v.closed_at.as_ref()),
        shortage: t.money(v.shortage_value),
        surplus: t.money(v.surplus_value),
        lines,
        differences,
        page: panel.page,
    })
}

pub(super) async fn count(
    State(s): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let id = stocktake_id(&id)?;
    let mut counts = Vec::new();
    for (field, value) in fields {
        let Some(product) = field.strip_prefix(COUNTED) else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match value.parse::<i64>() {
            Ok(n) if n >= 0 => counts.push((product.to_owned(), n)),
            _ => return Err(invalid(&field, "must be a whole number, not negative")),
        }
    }
    stocktakes::count(&s.app, &panel.who, id, counts).await?;
    Ok(see_other(&format!("/admin/stock/stocktakes/{id}")))
}

pub(super) async fn close(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let id = stocktake_id(&id)?;
    stocktakes::close(&s.app, &panel.who, id, &meta).await?;
    Ok(see_other(&format!("/admin/stock/stocktakes/{id}")))
}
