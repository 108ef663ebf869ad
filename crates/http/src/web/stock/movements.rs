//! `/admin/stock/movements`: the ledger, newest first, filtered by kind, product, holder and days, paged.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use vendhub_app::stock::{self, MovementQuery, MovementView};
use vendhub_domain::roles::Permission;
use vendhub_domain::stock::MovementKind;

use super::{Names, Opt, given, invalid, page_request, query};
use crate::HttpState;
use crate::web::i18n::Tr;
use crate::web::{PageCtx, Panel, WebError, page};

/// Movements per page.
const PER_PAGE: i64 = 50;

/// One movement, as the table shows it.
pub struct MovementRow {
    pub at: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub product: String,
    pub from: String,
    pub to: String,
    pub quantity: String,
    pub unit_cost: String,
    pub reason: String,
}

pub(super) fn movement_rows(t: Tr, names: &Names, rows: Vec<MovementView>) -> Vec<MovementRow> {
    rows.into_iter()
        .map(|m| MovementRow {
            at: t.datetime(&m.at),
            kind_label: t.t(&format!("stock.kind.{}", m.kind)),
            product: names.product(&m.product_id),
            from: names.holder(m.from_holder.as_deref()),
            to: names.holder(m.to_holder.as_deref()),
            quantity: t.number(m.quantity),
            unit_cost: t.money(m.unit_cost),
            reason: m
                .reason
                .map(|r| {
                    let key = format!("stock.reasons.{r}");
                    match t.t(&key) {
                        "[?]" => r,
                        label => label.to_owned(),
                    }
                })
                .unwrap_or_default(),
            kind: m.kind,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(super) struct Filter {
    kind: Option<String>,
    product_id: Option<String>,
    holder: Option<String>,
    /// Days, `YYYY-MM-DD`, both included.
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
    /// Accepted and ignored (the language switch keeps the query).
    #[serde(rename = "lang")]
    _lang: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/stock/movements.html")]
struct Movements {
    page: PageCtx,
    kinds: Vec<Opt>,
    products: Vec<Opt>,
    holders: Vec<Opt>,
    from: String,
    to: String,
    rows: Vec<MovementRow>,
    page_of: String,
    total: String,
    prev: Option<String>,
    next: Option<String>,
}

fn day(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    text.map(|d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| invalid(field, "must be a day (YYYY-MM-DD)"))
    })
    .transpose()
}

pub(super) async fn list(
    State(s): State<HttpState>,
    panel: Panel,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    panel.require(Permission::StockRead)?;
    let f: Filter = query(raw.as_deref())?;
    let (kind, product, holder) = (given(f.kind), given(f.product_id), given(f.holder));
    let (from_text, to_text) = (given(f.from), given(f.to));
    if let Some(k) = &kind
        && !MovementKind::ALL.iter().any(|m| m.as_str() == k)
    {
        return Err(invalid("kind", "no such kind of movement"));
    }
    let from = day("from", from_text.as_deref())?;
    let to = day("to", to_text.as_deref())?;
    let request = page_request(f.page, PER_PAGE)?;
    let (who, t) = (&panel.who, panel.page.t);
    let names = Names::load(&s, who, t, true).await?;
    let q = MovementQuery {
        product_id: product.clone(),
        holder: holder.clone(),
        kind: kind.clone(),
        reference_id: None,
        from: from.map(|d| d.and_time(NaiveTime::MIN).and_utc()),
        to: to
            .and_then(|d| d.succ_opt())
            .map(|d| d.and_time(NaiveTime::MIN).and_utc()),
    };
    let found = stock::movements(&s.app, who, q, request).await?;
    let link = |page_no: u32| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("kind", &kind),
            ("product_id", &product),
            ("holder", &holder),
            ("from", &from_text),
            ("to", &to_text),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        q.append_pair("page", &page_no.to_string());
        format!("/admin/stock/movements?{}", q.finish())
    };
    let page_no = found.meta.page;
    let pages = found.meta.total_pages.max(1);
    let mut kinds = vec![Opt::new("", t.t("common.all"), kind.as_deref())];
    kinds.extend(MovementKind::ALL.iter().map(|k| {
        Opt::new(
            k.as_str(),
            t.t(&format!("stock.kind.{}", k.as_str())),
            kind.as_deref(),
        )
    }));
    let mut products = vec![Opt::new("", t.t("common.all"), product.as_deref())];
    products.extend(names.product_options(product.as_deref()));
    let mut holders = vec![Opt::new("", t.t("common.all"), holder.as_deref())];
    holders.extend(
        names
            .holders
            .iter()
            .map(|(h, name, _)| Opt::new(h, name.clone(), holder.as_deref())),
    );
    if let Some(h) = &holder
        && !holders.iter().any(|o| o.selected)
    {
        holders.push(Opt::new(h, names.holder(Some(h)), Some(h)));
    }
    let page_of = t.fill("common.page_of", &[("page", &page_no), ("pages", &pages)]);
    page(&Movements {
        page_of,
        total: t.number(found.meta.total),
        rows: movement_rows(t, &names, found.data),
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (i64::from(page_no) < pages).then(|| link(page_no + 1)),
        page: panel.page,
        kinds,
        products,
        holders,
        from: from_text.unwrap_or_default(),
        to: to_text.unwrap_or_default(),
    })
}
