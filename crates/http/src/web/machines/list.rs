//! `/admin/machines`: the fleet, searched and filtered (status, type, location, operator), paged, and on
//! a map. The query is read by the API's own parser, so both answer the same filters the same way.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use vendhub_app::AppError;
use vendhub_app::error::FieldError;
use vendhub_app::machines;
use vendhub_app::paging::{PageRequest, Paged};
use vendhub_domain::roles::{Permission, Role};

use super::{location_names, operators, status_label, statuses, type_label, types};
use crate::HttpState;
use crate::api::machines::list::{ListQuery, list_query};
use crate::web::{PageCtx, Panel, WebError, page};

/// A choice of a filter, marked when it is the one chosen.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn options<'a, V: AsRef<str> + 'a, L: AsRef<str> + 'a>(
    all: impl IntoIterator<Item = (V, L)>,
    chosen: &str,
) -> Vec<Opt> {
    all.into_iter()
        .map(|(v, l)| Opt {
            selected: v.as_ref() == chosen,
            value: v.as_ref().to_owned(),
            label: l.as_ref().to_owned(),
        })
        .collect()
}

struct Row {
    id: String,
    number: String,
    name: String,
    status: String,
    status_label: &'static str,
    type_label: &'static str,
    location: String,
    operator: String,
    last_seen: String,
}

struct Marker {
    lat: f64,
    lng: f64,
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "admin/machines/list.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    markers: Vec<Marker>,
    tiles: String,
    q: String,
    statuses: Vec<Opt>,
    types: Vec<Opt>,
    locations: Vec<Opt>,
    operators: Vec<Opt>,
    count: String,
    page_of: String,
    prev: Option<String>,
    next: Option<String>,
}

/// The query's non-empty fields (a form sends its empty selects as `status=`, which means "any").
fn given(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .filter(|(k, v)| !v.trim().is_empty() && k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn read_query(pairs: &[(String, String)]) -> Result<ListQuery, AppError> {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| AppError::Validation(vec![FieldError::new("query", e.to_string())]))
}

/// The address of another page of this list, with the same filters.
fn page_link(pairs: &[(String, String)], page: u32) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "page") {
        s.append_pair(k, v);
    }
    s.append_pair("page", &page.to_string());
    format!("/admin/machines?{}", s.finish())
}

pub(super) async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let pairs = given(raw.as_deref());
    let q = read_query(&pairs)?;
    let request = PageRequest::parse(q.page, q.limit)?;
    let mut query = list_query(q)?;
    let who = &panel.who;
    // An operator works on their own machines: the list and the map show only those.
    let own = matches!(who.role(), Role::Operator);
    if own {
        query.operator_id = Some(who.user_id());
    }
    let (found, points, locations, mut operators) = tokio::try_join!(
        machines::list(&state.app, who, query, request),
        machines::map(&state.app, who),
        location_names(&state, who),
        operators(&state, who),
    )?;
    let t = panel.page.t;
    if own {
        // Their own name in the operator column; no operator filter for them.
        operators = vec![(who.user_id().to_string(), t.t("machines.me").to_owned())];
    }
    let names: HashMap<&str, &str> = locations
        .iter()
        .chain(operators.iter())
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let Paged { data, meta } = found;
    let rows = data
        .iter()
        .map(|m| Row {
            id: m.id.clone(),
            number: m.number.clone(),
            name: m.name.clone(),
            status: m.status.clone(),
            status_label: status_label(t, &m.status),
            type_label: type_label(t, &m.machine_type),
            location: m.location_id.as_deref().map_or_else(
                || t.t("machines.no_location").to_owned(),
                |l| names.get(l).copied().unwrap_or("—").to_owned(),
            ),
            operator: m.operator_id.as_deref().map_or_else(
                || t.t("machines.no_operator").to_owned(),
                |o| names.get(o).copied().unwrap_or("—").to_owned(),
            ),
            last_seen: m
                .last_seen_at
                .as_ref()
                .map_or_else(|| t.t("machines.never").to_owned(), |at| t.datetime(at)),
        })
        .collect::<Vec<_>>();
    let listed: std::collections::HashSet<&str> = data.iter().map(|m| m.id.as_str()).collect();
    let markers = points
        .into_iter()
        .filter(|p| listed.contains(p.id.as_str()))
        .filter_map(|p| {
            Some(Marker {
                lat: p.latitude?,
                lng: p.longitude?,
                label: format!("{} · {} · {}", p.number, p.name, status_label(t, &p.status)),
                href: format!("/admin/machines/{}", p.id),
            })
        })
        .collect();
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let pages = meta.total_pages.max(1);
    page(&ListPage {
        count: t.fill("machines.count", &[("total", &meta.total)]),
        page_of: t.fill("common.page_of", &[("page", &meta.page), ("pages", &pages)]),
        prev: (meta.page > 1).then(|| page_link(&pairs, meta.page - 1)),
        next: (i64::from(meta.page) < pages).then(|| page_link(&pairs, meta.page + 1)),
        rows,
        markers,
        tiles: state.config.map_tile_url.clone().unwrap_or_default(),
        q: field("q"),
        statuses: options(statuses(t), &field("status")),
        types: options(types(t), &field("type")),
        locations: options(locations.iter().map(|(a, b)| (a, b)), &field("location_id")),
        operators: if own {
            Vec::new()
        } else {
            options(operators.iter().map(|(a, b)| (a, b)), &field("operator_id"))
        },
        page: panel.page,
    })
}
