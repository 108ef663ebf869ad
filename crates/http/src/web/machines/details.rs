//! `/admin/machines/{id}`: one machine on one page — its live status, the planogram with fill levels
//! and its editor, recent sales and telemetry, the last DEX audit, tasks, API keys, QR code and moves.
//! [`render`] also answers a key's creation, the only time the key's secret is on a page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use vendhub_app::auth::Principal;
use vendhub_app::gateway::keys::{self, CreatedKey};
use vendhub_app::machines::{self, MachineActivity, MachineView, MoveView};
use vendhub_app::paging::PageRequest;
use vendhub_app::tasks::{self, TaskQuery, TaskView};
use vendhub_app::{planograms, products, stock};
use vendhub_domain::ids::MachineId;
use vendhub_domain::roles::Permission;

use super::{location_names, machine_id, picker_page, status_label, statuses, type_label};
use crate::HttpState;
use crate::web::catalog::{fields::som_field, product_name};
use crate::web::i18n::Tr;
use crate::web::{PageCtx, Panel, WebError, page};

/// One slot: what it holds, how full, and the values its edit form starts with.
pub(super) struct SlotCard {
    code: String,
    product_id: String,
    product: String,
    qty: i64,
    capacity: i64,
    par: i64,
    fill: String,
    price: String,
    price_field: String,
    low: bool,
    empty: bool,
}

struct KeyRow {
    id: String,
    label: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

struct TaskRow {
    id: String,
    number: String,
    title: String,
    status: String,
    status_label: &'static str,
    due: String,
}

struct SaleRow {
    at: String,
    slot: String,
    product: String,
    quantity: i64,
    amount: String,
    payment: String,
}

struct Reading {
    at: String,
    text: String,
}

struct Dex {
    at: String,
    expected_cash: String,
    summary: String,
}

struct MoveRow {
    at: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "admin/machines/details.html")]
struct MachinePage {
    page: PageCtx,
    m: MachineView,
    status_label: &'static str,
    type_label: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    location: String,
    last_seen: String,
    slots: Vec<SlotCard>,
    products: Vec<(String, String)>,
    locations: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    keys: Vec<KeyRow>,
    new_key: Option<CreatedKey>,
    tasks: Vec<TaskRow>,
    sales: Vec<SaleRow>,
    telemetry: Vec<Reading>,
    dex: Option<Dex>,
    moves: Vec<MoveRow>,
    qr_target: String,
}

pub(super) async fn show(
    State(state): State<HttpState>,
    panel: Panel,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(&state, panel, machine_id(&id)?, None).await
}

/// A JSON value as one line people read: `temperature: 4.5 · door: closed`.
fn readable(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(k, _)| k.as_str() != "machine_id")
            .map(|(k, v)| format!("{k}: {}", readable(v)))
            .collect::<Vec<_>>()
            .join(" · "),
        serde_json::Value::Array(items) => items.iter().map(readable).collect::<Vec<_>>().join(", "),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The keys, for people who manage the fleet (the use case is theirs); nothing for others.
async fn keys_of(
    state: &HttpState,
    who: &Principal,
    id: MachineId,
) -> Result<Vec<keys::KeyView>, vendhub_app::AppError> {
    if who.role().can(Permission::FleetManage) {
        keys::list(&state.app, who, id).await
    } else {
        Ok(Vec::new())
    }
}

/// The machine's page; `new_key` is a key just created, whose secret this page shows once.
pub(super) async fn render(
    state: &HttpState,
    panel: Panel,
    id: MachineId,
    new_key: Option<CreatedKey>,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let (app, who) = (&state.app, &panel.who);
    let task_query = TaskQuery {
        machine_id: Some(id.to_string()),
        ..TaskQuery::default()
    };
    let ten = PageRequest { page: 1, limit: 10 };
    let (m, fills, planogram, catalog, locations, templates, key_list, task_page, activity, moves, qr_target) =
        tokio::try_join!(
            machines::get(app, who, id),
            stock::machine_stock(app, who, id),
            planograms::get(app, who, id),
            products::list(app, who, None, picker_page()),
            location_names(state, who),
            planograms::templates(app, who),
            keys_of(state, who, id),
            tasks::list(app, who, task_query, ten),
            machines::activity(app, who, id),
            machines::moves(app, who, id),
            machines::qr_target(app, who, id),
        )?;
    let t = panel.page.t;
    let product_names: HashMap<&str, String> = catalog
        .data
        .iter()
        .map(|p| (p.id.as_str(), product_name(t, &p.name)))
        .collect();
    let product_prices: HashMap<&str, i64> = catalog.data.iter().map(|p| (p.id.as_str(), p.price)).collect();
    let prices: HashMap<&str, Option<i64>> = planogram.iter().map(|s| (s.slot.as_str(), s.price)).collect();
    let name_of = |p: &str| product_names.get(p).cloned().unwrap_or_else(|| "—".to_owned());
    let location_of = |l: Option<&str>| {
        l.map_or_else(
            || t.t("machines.no_location").to_owned(),
            |l| {
                locations
                    .iter()
                    .find(|(id, _)| id == l)
                    .map_or_else(|| "—".to_owned(), |(_, n)| n.clone())
            },
        )
    };
    let slots = fills
        .iter()
        .map(|s| {
            let own = prices.get(s.slot.as_str()).copied().flatten();
            let price = own.or_else(|| product_prices.get(s.product_id.as_str()).copied());
            SlotCard {
                code: s.slot.clone(),
                product_id: s.product_id.clone(),
                product: name_of(&s.product_id),
                qty: s.quantity,
                capacity: s.capacity,
                par: s.par_level,
                fill: t.fill(
                    "machines.planogram.fill",
                    &[("qty", &s.quantity), ("capacity", &s.capacity)],
                ),
                price: price.map_or_else(String::new, |p| t.money(p)),
                price_field: own.map_or_else(String::new, som_field),
                low: s.low,
                empty: s.quantity == 0,
            }
        })
        .collect();
    let (sales, telemetry, dex) = activity_rows(t, &activity, &name_of);
    let tasks = task_rows(t, &task_page.data);
    let keys = key_rows(t, &key_list);
    let moves = move_rows(t, &moves, &location_of);
    page(&MachinePage {
        status_label: status_label(t, &m.status),
        type_label: type_label(t, &m.machine_type),
        statuses: statuses(t),
        location: location_of(m.location_id.as_deref()),
        last_seen: m
            .last_seen_at
            .as_ref()
            .map_or_else(|| t.t("machines.never").to_owned(), |at| t.datetime(at)),
        slots,
        products: catalog
            .data
            .iter()
            .map(|p| (p.id.clone(), format!("{} · {}", p.sku, product_name(t, &p.name))))
            .collect(),
        locations,
        templates: templates.into_iter().map(|tp| (tp.id, tp.name)).collect(),
        keys,
        new_key,
        tasks,
        sales,
        telemetry,
        dex,
        moves,
        qr_target,
        m,
        page: panel.page,
    })
}

type Activity = (Vec<SaleRow>, Vec<Reading>, Option<Dex>);

fn activity_rows(t: Tr, activity: &MachineActivity, name_of: &dyn Fn(&str) -> String) -> Activity {
    let sales = activity
        .sales
        .iter()
        .map(|s| SaleRow {
            at: t.datetime(&s.sold_at),
            slot: s.slot.clone().unwrap_or_default(),
            product: s.product_id.as_deref().map_or_else(String::new, name_of),
            quantity: s.quantity,
            amount: t.money(s.amount),
            payment: s.payment_method.clone(),
        })
        .collect();
    let telemetry = activity
        .telemetry
        .iter()
        .map(|r| Reading {
            at: t.datetime(&r.received_at),
            text: readable(&r.payload),
        })
        .collect();
    let dex = activity.last_dex_audit.as_ref().map(|d| Dex {
        at: t.datetime(&d.received_at),
        expected_cash: d.expected_cash.map_or_else(|| "—".to_owned(), |c| t.money(c)),
        summary: readable(&d.summary),
    });
    (sales, telemetry, dex)
}

fn task_rows(t: Tr, tasks: &[TaskView]) -> Vec<TaskRow> {
    tasks
        .iter()
        .map(|k| TaskRow {
            id: k.id.clone(),
            number: k.number.clone(),
            title: k.title.clone(),
            status: k.status.clone(),
            status_label: t.t(&format!("machines.task_status.{}", k.status)),
            due: t.maybe(k.due_at.as_ref()),
        })
        .collect()
}

fn key_rows(t: Tr, keys: &[keys::KeyView]) -> Vec<KeyRow> {
    keys.iter()
        .map(|k| KeyRow {
            id: k.id.clone(),
            label: k.label.clone(),
            prefix: k.prefix.clone(),
            created: t.datetime(&k.created_at),
            last_used: t.maybe(k.last_used_at.as_ref()),
            revoked: k.revoked_at.as_ref().map(|at| t.datetime(at)),
        })
        .collect()
}

fn move_rows(t: Tr, moves: &[MoveView], location_of: &dyn Fn(Option<&str>) -> String) -> Vec<MoveRow> {
    moves
        .iter()
        .map(|mv| MoveRow {
            at: t.datetime(&mv.moved_at),
            from: location_of(mv.from_location_id.as_deref()),
            to: location_of(mv.to_location_id.as_deref()),
        })
        .collect()
}
