//! Stock: `/admin/stock` (warehouses, operators' stock, movements, purchases, transfers, write-offs,
//! stocktakes, pre-kit). One file per sub-area; this module registers their routes and holds what they
//! share: reading a query string into a page's filter, so'm typed by a person as tiyin, and the names
//! (of products, warehouses, people, machine slots) the tables show instead of ids.

mod movements;
mod overview;
mod prekit;
mod purchase;
mod stocktakes;
mod transfer;
mod warehouses;
mod write_off;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use vendhub_app::AppError;
use vendhub_app::auth::Principal;
use vendhub_app::error::FieldError;
use vendhub_app::paging::PageRequest;
use vendhub_domain::ids::ProductId;
use vendhub_domain::stock::Holder;

use super::WebError;
use super::i18n::Tr;
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/stock", get(overview::overview))
        .route("/admin/stock/warehouses", post(overview::create_warehouse))
        .route(
            "/admin/stock/warehouses/{id}",
            get(overview::warehouse).post(warehouses::update),
        )
        .route("/admin/stock/warehouses/{id}/delete", post(warehouses::delete))
        .route("/admin/stock/movements", get(movements::list))
        .route(
            "/admin/stock/purchase",
            get(purchase::form).post(purchase::submit),
        )
        .route(
            "/admin/stock/transfer",
            get(transfer::form).post(transfer::submit),
        )
        .route(
            "/admin/stock/write-off",
            get(write_off::form).post(write_off::submit),
        )
        .route(
            "/admin/stock/stocktakes",
            get(stocktakes::list).post(stocktakes::start),
        )
        .route("/admin/stock/stocktakes/{id}", get(stocktakes::sheet))
        .route("/admin/stock/stocktakes/{id}/counts", post(stocktakes::count))
        .route("/admin/stock/stocktakes/{id}/close", post(stocktakes::close))
        .route("/admin/stock/prekit", get(prekit::prekit))
}

/// A query string read into a page's filter; one that does not fit is a page naming the field (400).
fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, WebError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.unwrap_or("").as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        invalid(&field, &e.into_inner().to_string())
    })
}

/// A 400 page naming `field`.
fn invalid(field: &str, message: &str) -> WebError {
    WebError::App(AppError::Validation(vec![FieldError::new(field, message)]))
}

/// A form or query value, `None` when empty.
fn given(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A holder chosen in a form (`warehouse:<id>`, `operator:<user id>`…); anything else is a 400 page
/// naming `field`.
fn holder(field: &str, text: &str) -> Result<Holder, WebError> {
    text.trim()
        .parse()
        .map_err(|_| invalid(field, "choose a warehouse or a person"))
}

/// A product chosen in a form; a malformed id is a 400 page naming the field.
fn product_id(text: &str) -> Result<ProductId, WebError> {
    text.trim()
        .parse()
        .map_err(|_| invalid("product_id", "no such product"))
}

/// A movement the ledger answered "not found" for: when the product is the unknown one, a page naming the
/// field; otherwise (a holder of another organization) the "not found" page.
async fn name_unknown_product(
    state: &HttpState,
    who: &Principal,
    product: ProductId,
    e: AppError,
) -> WebError {
    if matches!(e, AppError::NotFound)
        && matches!(
            vendhub_app::products::get(&state.app, who, product).await,
            Err(AppError::NotFound)
        )
    {
        return invalid("product_id", "no such product");
    }
    WebError::from(e)
}

/// An amount of so'm typed by a person (`12 500`, `12500.50`, `12 500,5`, `12,500`) in tiyin, exactly.
/// Spaces (also non-breaking) and `'` group thousands; a `.` or `,` followed by one or two digits at the
/// end is the decimal mark, one followed by groups of three digits groups thousands.
pub fn parse_som(text: &str) -> Result<i64, &'static str> {
    const BAD: &str = "must be an amount in so'm, like 12 500 or 12500.50";
    let s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’'))
        .collect();
    if s.is_empty() {
        return Err("must be given");
    }
    if s.starts_with('-') {
        return Err("must not be negative");
    }
    let (whole, fraction) = match s.rfind(['.', ',']) {
        Some(i) if s.len() - i - 1 <= 2 => {
            // The decimal mark is not also the thousands separator (`12.345.6`).
            if s[..i].contains(&s[i..=i]) {
                return Err(BAD);
            }
            (&s[..i], &s[i + 1..])
        }
        _ => (s.as_str(), ""),
    };
    // What remains of the whole part may group thousands with `.` or `,`: groups of exactly three digits.
    let mut groups = whole.split(['.', ',']);
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    if first.is_empty() && !whole.is_empty()
        || rest.iter().any(|g| g.len() != 3)
        || first.len() > 3 && !rest.is_empty()
    {
        return Err(BAD);
    }
    let digits: String = std::iter::once(first).chain(rest).collect();
    let digits = if digits.is_empty() { "0" } else { digits.as_str() };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    if whole.is_empty() && fraction.is_empty() {
        return Err(BAD);
    }
    let som: i64 = digits.parse().map_err(|_| "is too large")?;
    let tiyin: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| BAD)? * 10,
        _ => fraction.parse().map_err(|_| BAD)?,
    };
    som.checked_mul(100)
        .and_then(|t| t.checked_add(tiyin))
        .ok_or("is too large")
}

/// The page request of a list page (`page` from the query; a bad one is 400 naming it).
fn page_request(page: Option<i64>, limit: i64) -> Result<PageRequest, WebError> {
    PageRequest::parse(page, Some(limit)).map_err(WebError::from)
}

/// One `<option>` of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    fn new(value: impl Into<String>, label: impl Into<String>, chosen: Option<&str>) -> Self {
        let value = value.into();
        Self {
            selected: chosen == Some(value.as_str()),
            label: label.into(),
            value,
        }
    }
}

/// Names of what the stock tables show by id: products (in the page's language), warehouses, people,
/// machines.
#[derive(Default)]
struct Names {
    products: Vec<(String, String)>,
    product: HashMap<String, String>,
    /// `warehouse:<id>` and `operator:<id>` with their names, in order, and the people's roles.
    holders: Vec<(String, String, String)>,
    holder: HashMap<String, String>,
    machine: HashMap<String, String>,
    machines: Vec<(String, String)>,
}

impl Names {
    /// The catalog, the holders (for those who may read all stock) and the machines.
    async fn load(state: &HttpState, who: &Principal, t: Tr, with_holders: bool) -> Result<Self, WebError> {
        let app = &state.app;
        let page = PageRequest::parse(Some(1), Some(i64::from(PageRequest::MAX_LIMIT)))?;
        let products = vendhub_app::products::list(app, who, None, page).await?;
        let mut n = Self::default();
        for p in products.data {
            let name = match t.code() {
                "ru" => p.name.ru,
                "en" => p.name.en,
                _ => p.name.uz,
            };
            let label = format!("{} · {name}", p.sku);
            n.product.insert(p.id.clone(), label.clone());
            n.products.push((p.id, label));
        }
        if with_holders {
            for h in vendhub_app::stock::holders(app, who).await? {
                n.holder.insert(h.holder.clone(), h.name.clone());
                n.holders.push((h.holder, h.name, h.role));
            }
        }
        let machines =
            vendhub_app::machines::list(app, who, vendhub_app::machines::MachineQuery::default(), page)
                .await?;
        for m in machines.data {
            let label = format!("{} · {}", m.number, m.name);
            n.machine.insert(m.id.clone(), m.number.clone());
            n.machines.push((m.id, label));
        }
        Ok(n)
    }

    fn product(&self, id: &str) -> String {
        self.product.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// A holder as a person reads it: the warehouse's or person's name, `M-001 · A1` for a slot.
    fn holder(&self, h: Option<&str>) -> String {
        let Some(h) = h else {
            return "—".to_owned();
        };
        if let Some(name) = self.holder.get(h) {
            return name.clone();
        }
        if let Some(rest) = h.strip_prefix("slot:")
            && let Some((machine, slot)) = rest.rsplit_once(':')
        {
            let number = self.machine.get(machine).map_or(machine, String::as_str);
            return format!("{number} · {slot}");
        }
        h.to_owned()
    }

    fn product_options(&self, chosen: Option<&str>) -> Vec<Opt> {
        self.products
            .iter()
            .map(|(id, label)| Opt::new(id, label, chosen))
            .collect()
    }

    /// Warehouses, then operators (the people who carry stock), as form options.
    fn holder_options(&self, t: Tr, chosen: Option<&str>) -> Vec<Opt> {
        self.holders
            .iter()
            .filter(|(_, _, role)| matches!(role.as_str(), "warehouse" | "operator"))
            .map(|(h, name, role)| {
                let what = if role == "warehouse" {
                    t.t("stock.warehouse")
                } else {
                    t.t("common.operator")
                };
                Opt::new(h, format!("{what}: {name}"), chosen)
            })
            .collect()
    }

    fn warehouse_options(&self, chosen: Option<&str>) -> Vec<Opt> {
        self.holders
            .iter()
            .filter_map(|(h, name, _)| {
                h.strip_prefix("warehouse:")
                    .map(|id| Opt::new(id, name.clone(), chosen))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::parse_som;
    use crate::web::i18n::{Lang, Tr};

    #[test]
    fn so_m_typed_by_a_person_become_tiyin_exactly() {
        assert_eq!(parse_som("12 500"), Ok(1_250_000));
        assert_eq!(parse_som("12500"), Ok(1_250_000));
        assert_eq!(parse_som("12500.50"), Ok(1_250_050));
        assert_eq!(parse_som("12500,5"), Ok(1_250_050));
        assert_eq!(parse_som("12\u{a0}500,05"), Ok(1_250_005));
        assert_eq!(parse_som("1 250 000"), Ok(125_000_000));
        assert_eq!(parse_som("12,500"), Ok(1_250_000));
        assert_eq!(parse_som("1.250.000,50"), Ok(125_000_050));
        assert_eq!(parse_som("1,250,000.50"), Ok(125_000_050));
        assert_eq!(parse_som("0"), Ok(0));
        assert_eq!(parse_som("0.01"), Ok(1));
        assert_eq!(parse_som(" 7 "), Ok(700));
    }

    #[test]
    fn what_is_not_an_amount_of_so_m_is_refused() {
        for bad in [
            "",
            " ",
            "-5",
            "abc",
            "12.345.6",
            "12,50,0",
            "1.2345",
            "12 500 so'm",
            "1e5",
            ".",
            "12..5",
            "99999999999999999999",
        ] {
            assert!(parse_som(bad).is_err(), "{bad:?}");
        }
    }

    /// The labels the pages build from a kind, a reason or a status are all in the catalog.
    #[test]
    fn built_labels_are_in_the_catalog() {
        use vendhub_domain::stock::{MovementKind, WriteOffReason};
        for lang in Lang::ALL {
            let t = Tr::new(lang, "UTC");
            let mut keys: Vec<String> = MovementKind::ALL
                .iter()
                .map(|k| format!("stock.kind.{}", k.as_str()))
                .collect();
            keys.extend(
                WriteOffReason::ALL
                    .iter()
                    .map(|r| format!("stock.reasons.{}", r.as_str())),
            );
            keys.extend(
                vendhub_app::stocktakes::STATUSES
                    .iter()
                    .map(|s| format!("stock.stocktake_status.{s}")),
            );
            keys.extend(["shortage", "surplus"].map(|d| format!("stock.discrepancy.{d}")));
            for key in keys {
                assert_ne!(t.t(&key), "[?]", "{key}");
            }
        }
    }
}
