//! `/admin/stock`: every warehouse with its balances and their value at cost, and every operator's stock;
//! an operator sees only their own stock. `/admin/stock/warehouses/{id}`: one warehouse.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use vendhub_app::AppError;
use vendhub_app::stock::{self, BalanceView, MovementQuery};
use vendhub_domain::ids::WarehouseId;
use vendhub_domain::roles::Permission;

use super::movements::{MovementRow, movement_rows};
use super::{Names, page_request};
use crate::HttpState;
use crate::extract::Meta;
use crate::web::i18n::Tr;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

/// One product line of a holder's stock, formatted.
pub struct BalRow {
    pub product: String,
    pub quantity: String,
    pub avg_cost: String,
    pub value: String,
}

/// A holder (warehouse or person) with its stock.
pub struct HolderCard {
    pub name: String,
    pub href: String,
    pub rows: Vec<BalRow>,
    pub total: String,
}

pub(super) fn rows_of(t: Tr, names: &Names, balances: &[&BalanceView]) -> (Vec<BalRow>, String) {
    let rows = balances
        .iter()
        .map(|b| BalRow {
            product: names.product(&b.product_id),
            quantity: t.number(b.quantity),
            avg_cost: t.money(b.avg_cost),
            value: t.money(b.value),
        })
        .collect();
    let total = balances.iter().map(|b| b.value).fold(0_i64, i64::saturating_add);
    (rows, t.money(total))
}

#[derive(Template)]
#[template(path = "admin/stock/overview.html")]
struct Overview {
    page: PageCtx,
    read_all: bool,
    warehouses: Vec<HolderCard>,
    operators: Vec<HolderCard>,
    own: Vec<BalRow>,
    own_total: String,
}

pub(super) async fn overview(State(s): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    let read_all = panel.page.can(Permission::StockRead);
    if !read_all {
        panel.require(Permission::StockOwn)?;
    }
    let (who, t) = (&panel.who, panel.page.t);
    let names = Names::load(&s, who, t, read_all).await?;
    let (mut warehouses, mut operators, mut own, mut own_total) =
        (Vec::new(), Vec::new(), Vec::new(), t.money(0));
    if read_all {
        let (stores, people) = tokio::try_join!(
            stock::warehouse_stock(&s.app, who, None),
            stock::operators_stock(&s.app, who),
        )?;
        for (h, name, _) in &names.holders {
            let Some(id) = h.strip_prefix("warehouse:") else {
                continue;
            };
            let mine: Vec<&BalanceView> = stores.iter().filter(|b| &b.holder == h).collect();
            let (rows, total) = rows_of(t, &names, &mine);
            warehouses.push(HolderCard {
                name: name.clone(),
                href: format!("/admin/stock/warehouses/{id}"),
                rows,
                total,
            });
        }
        let mut holders: Vec<&str> = people.iter().map(|b| b.holder.as_str()).collect();
        holders.sort_unstable();
        holders.dedup();
        for h in holders {
            let mine: Vec<&BalanceView> = people.iter().filter(|b| b.holder == h).collect();
            let (rows, total) = rows_of(t, &names, &mine);
            operators.push(HolderCard {
                name: names.holder(Some(h)),
                href: format!("/admin/stock/movements?holder={h}"),
                rows,
                total,
            });
        }
        operators.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        let mine = stock::operator_stock(&s.app, who, None).await?;
        let refs: Vec<&BalanceView> = mine.iter().collect();
        (own, own_total) = rows_of(t, &names, &refs);
    }
    page(&Overview {
        page: panel.page,
        read_all,
        warehouses,
        operators,
        own,
        own_total,
    })
}

#[derive(Template)]
#[template(path = "admin/stock/warehouse.html")]
struct Warehouse {
    page: PageCtx,
    id: String,
    name: String,
    address: String,
    rows: Vec<BalRow>,
    total: String,
    movements: Vec<MovementRow>,
}

pub(super) async fn warehouse(
    State(s): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockRead)?;
    let id: WarehouseId = id.parse().map_err(|_| AppError::NotFound)?;
    let (who, t) = (&panel.who, panel.page.t);
    let w = vendhub_app::warehouses::get(&s.app, who, id).await?;
    let names = Names::load(&s, who, t, true).await?;
    let balances = stock::warehouse_stock(&s.app, who, Some(id)).await?;
    let refs: Vec<&BalanceView> = balances.iter().collect();
    let (rows, total) = rows_of(t, &names, &refs);
    let query = MovementQuery {
        holder: Some(format!("warehouse:{id}")),
        ..MovementQuery::default()
    };
    let recent = stock::movements(&s.app, who, query, page_request(Some(1), 20)?).await?;
    page(&Warehouse {
        movements: movement_rows(t, &names, recent.data),
        page: panel.page,
        id: w.id,
        name: w.name,
        address: w.address,
        rows,
        total,
    })
}

#[derive(Deserialize)]
pub(super) struct NewWarehouse {
    name: String,
    #[serde(default)]
    address: String,
}

pub(super) async fn create_warehouse(
    State(s): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<NewWarehouse>,
) -> Result<Response, WebError> {
    panel.require(Permission::StockManage)?;
    let w = vendhub_app::warehouses::create(&s.app, &panel.who, &f.name, &f.address, &meta).await?;
    Ok(see_other(&format!("/admin/stock/warehouses/{}", w.id)))
}
