//! Planogram templates: the list with their slots (`GET /api/v1/planogram-templates`); a machine's page
//! applies one.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use vendhub_app::paging::PageRequest;
use vendhub_app::{planograms, products};
use vendhub_domain::roles::Permission;

use super::product_name;
use crate::HttpState;
use crate::web::{PageCtx, Panel, WebError, page};

struct SlotLine {
    code: String,
    product: String,
    capacity: i64,
    par: i64,
    price: String,
}

struct Card {
    name: String,
    slots: Vec<SlotLine>,
}

#[derive(Template)]
#[template(path = "admin/catalog/templates.html")]
struct TemplatesPage {
    page: PageCtx,
    cards: Vec<Card>,
}

pub(super) async fn list(State(state): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::FleetRead)?;
    let all = PageRequest {
        page: 1,
        limit: PageRequest::MAX_LIMIT,
    };
    let (templates, catalog) = tokio::try_join!(
        planograms::templates(&state.app, &panel.who),
        products::list(&state.app, &panel.who, None, all),
    )?;
    let t = panel.page.t;
    let names: HashMap<&str, String> = catalog
        .data
        .iter()
        .map(|p| (p.id.as_str(), product_name(t, &p.name)))
        .collect();
    let cards = templates
        .into_iter()
        .map(|tp| Card {
            name: tp.name,
            slots: tp
                .slots
                .into_iter()
                .map(|s| SlotLine {
                    product: names.get(s.product_id.as_str()).cloned().unwrap_or_default(),
                    code: s.slot,
                    capacity: s.capacity,
                    par: s.par_level,
                    price: s.price.map_or_else(String::new, |p| t.money(p)),
                })
                .collect(),
        })
        .collect();
    page(&TemplatesPage {
        page: panel.page,
        cards,
    })
}
