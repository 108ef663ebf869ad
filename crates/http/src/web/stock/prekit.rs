//! `/admin/stock/prekit`: what the chosen machines (checked ones, an operator's route, or the refills due
//! on a day) need to reach par, and the warehouse's pick list, printable.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use vendhub_app::prekit::{self, Selection};
use vendhub_domain::ids::MachineId;
use vendhub_domain::roles::Permission;

use super::{Names, Opt, invalid};
use crate::HttpState;
use crate::web::{PageCtx, Panel, WebError, page};

/// One product of the pick list.
pub struct PickRow {
    pub product: String,
    pub total: String,
    pub machines: String,
}

/// One slot that needs stock.
pub struct NeedRow {
    pub slot: String,
    pub product: String,
    pub balance: String,
    pub par: String,
    pub need: String,
}

/// One machine with the slots that need stock.
pub struct MachineCard {
    pub number: String,
    pub needs: Vec<NeedRow>,
}

#[derive(Template)]
#[template(path = "admin/stock/prekit.html")]
struct PrekitPage {
    page: PageCtx,
    operators: Vec<Opt>,
    machines: Vec<Opt>,
    date: String,
    chosen: bool,
    picks: Vec<PickRow>,
    cards: Vec<MachineCard>,
    units: String,
}

/// What the query chose: checked machines (`machine_id`, repeated), or `operator_id` and/or `date`.
struct Choice {
    machines: Vec<String>,
    operator: Option<String>,
    date: Option<String>,
}

fn choice(raw: Option<&str>) -> Choice {
    let mut c = Choice {
        machines: Vec::new(),
        operator: None,
        date: None,
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = v.trim().to_owned();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "machine_id" => c.machines.push(v),
            "operator_id" => c.operator = Some(v),
            "date" => c.date = Some(v),
            _ => {}
        }
    }
    c
}

fn selection(c: &Choice) -> Result<Option<Selection>, WebError> {
    let operator = c
        .operator
        .as_deref()
        .map(|o| o.parse().map_err(|_| invalid("operator_id", "no such person")))
        .transpose()?;
    let date = c
        .date
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| invalid("date", "must be a day (YYYY-MM-DD)"))
        })
        .transpose()?;
    Ok(match (c.machines.is_empty(), operator, date) {
        (false, None, None) => Some(Selection::Machines(
            c.machines
                .iter()
                .map(|m| {
                    m.parse::<MachineId>()
                        .map_err(|_| invalid("machine_id", "no such machine"))
                })
                .collect::<Result<_, _>>()?,
        )),
        (true, None, None) => None,
        (true, Some(op), None) => Some(Selection::Operator(op)),
        (true, op, Some(day)) => Some(Selection::Day(day, op)),
        (false, _, _) => {
            return Err(invalid(
                "machine_id",
                "choose machines, or an operator and/or a day, not both",
            ));
        }
    })
}

pub(super) async fn prekit(
    State(s): State<HttpState>,
    panel: Panel,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    panel.require(Permission::StockRead)?;
    let c = choice(raw.as_deref());
    let chosen = selection(&c)?;
    let (who, t) = (&panel.who, panel.page.t);
    let names = Names::load(&s, who, t, true).await?;
    let (mut picks, mut cards, mut units) = (Vec::new(), Vec::new(), 0_i64);
    let is_chosen = chosen.is_some();
    if let Some(sel) = chosen {
        let kit = prekit::compute(&s.app, who, sel).await?;
        for p in kit.pick_list {
            units = units.saturating_add(p.total);
            picks.push(PickRow {
                product: names.product(&p.product_id),
                total: t.number(p.total),
                machines: p
                    .machines
                    .iter()
                    .map(|(m, n)| {
                        let number = names.machine.get(m).map_or(m.as_str(), String::as_str);
                        format!("{number} × {}", t.number(*n))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        for m in kit.machines {
            let needs: Vec<NeedRow> = m
                .slots
                .into_iter()
                .filter(|n| n.need > 0)
                .map(|n| NeedRow {
                    product: names.product(&n.product_id),
                    balance: n.balance.map_or_else(|| "—".to_owned(), |b| t.number(b)),
                    par: t.number(n.par_level),
                    need: t.number(n.need),
                    slot: n.slot,
                })
                .collect();
            cards.push(MachineCard {
                number: m.number,
                needs,
            });
        }
    }
    let operators = names
        .holders
        .iter()
        .filter(|(_, _, role)| role == "operator")
        .filter_map(|(h, name, _)| {
            h.strip_prefix("operator:")
                .map(|id| Opt::new(id, name.clone(), c.operator.as_deref()))
        })
        .collect();
    let machines = names
        .machines
        .iter()
        .map(|(id, label)| Opt {
            selected: c.machines.contains(id),
            value: id.clone(),
            label: label.clone(),
        })
        .collect();
    page(&PrekitPage {
        page: panel.page,
        operators,
        machines,
        date: c.date.unwrap_or_default(),
        chosen: is_chosen,
        picks,
        cards,
        units: t.number(units),
    })
}
