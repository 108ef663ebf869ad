//! The audit log: `/admin/audit`, newest first, filtered by action and record type, with the result of
//! the hash chain's check (the one `vendhub audit verify` runs): intact, or the first broken record.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use vendhub_app::audit::{self, AuditEntry};
use vendhub_app::paging::{PageMeta, PageRequest};
use vendhub_domain::roles::Permission;

use super::{PageCtx, Panel, WebError, page};
use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new().route("/admin/audit", get(list))
}

/// A record as the table shows it.
struct EntryRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    ip: String,
    before: String,
    after: String,
}

fn json_text(v: Option<&serde_json::Value>) -> String {
    v.map(ToString::to_string).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "admin/audit/list.html")]
struct AuditPage {
    page: PageCtx,
    entries: Vec<EntryRow>,
    meta: PageMeta,
    action: String,
    entity_type: String,
    /// Asked for with `?verify=1` (it reads the whole log): `Ok(n)`: the whole chain of `n` records
    /// links up; `Err((seq, why))`: the first broken record.
    chain: Option<Result<i64, (i64, String)>>,
}

impl AuditPage {
    fn chain_ok(&self) -> String {
        match &self.chain {
            Some(Ok(n)) => self
                .page
                .t
                .fill("audit.chain.ok", &[("count", &self.page.t.number(*n))]),
            _ => String::new(),
        }
    }

    fn chain_broken(&self) -> String {
        match &self.chain {
            Some(Err((seq, why))) => self
                .page
                .t
                .fill("audit.chain.broken", &[("seq", seq), ("why", why)]),
            _ => String::new(),
        }
    }

    fn has_previous(&self) -> bool {
        self.meta.page > 1
    }

    fn has_next(&self) -> bool {
        i64::from(self.meta.page) < self.meta.total_pages
    }

    /// The list's address for page `n` with the same filters.
    fn page_url(&self, n: u32) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("action", &self.action)
            .append_pair("entity_type", &self.entity_type)
            .append_pair("page", &n.to_string());
        format!("/admin/audit?{}", q.finish())
    }

    fn page_of(&self) -> String {
        self.page.t.fill(
            "common.page_of",
            &[
                ("page", &self.meta.page),
                ("pages", &self.meta.total_pages.max(1)),
            ],
        )
    }

    fn previous(&self) -> u32 {
        self.meta.page.saturating_sub(1)
    }

    fn next(&self) -> u32 {
        self.meta.page.saturating_add(1)
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    entity_type: Option<String>,
    page: Option<String>,
    /// `1`: check the hash chain too.
    verify: Option<String>,
}

fn filter(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `GET /admin/audit`.
async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    panel.require(Permission::AuditRead)?;
    let page_no = q
        .page
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0));
    let paging = PageRequest::parse(page_no, None)?;
    let (action, entity_type) = (filter(q.action), filter(q.entity_type));
    let entries = audit::list(
        &state.app,
        &panel.who,
        action.clone(),
        entity_type.clone(),
        paging,
    )
    .await?;
    // The check reads the whole log, so it runs when asked for, not on every view.
    let chain = if q.verify.as_deref() == Some("1") {
        Some(audit::verify(&state.app).await?)
    } else {
        None
    };
    let t = &panel.page.t;
    let rows = entries
        .data
        .into_iter()
        .map(|e: AuditEntry| EntryRow {
            seq: e.seq,
            at: t.datetime(&e.at),
            actor: e.actor_user_id.unwrap_or_default(),
            ip: e.ip.unwrap_or_default(),
            before: json_text(e.before.as_ref()),
            after: json_text(e.after.as_ref()),
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id.unwrap_or_default(),
        })
        .collect();
    page(&AuditPage {
        page: panel.page,
        entries: rows,
        meta: entries.meta,
        action: action.unwrap_or_default(),
        entity_type: entity_type.unwrap_or_default(),
        chain,
    })
}
