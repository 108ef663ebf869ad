//! The dashboard, `/admin`: the same figures as `GET /api/v1/dashboard` (one use case), as stat cards,
//! lists of machines and tasks that need someone, and four server-drawn charts.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use vendhub_app::dashboard::{self, DashboardView};
use vendhub_domain::roles::Permission;

use super::charts::{self, Datum};
use super::i18n::Tr;
use super::{PageCtx, Panel, WebError, page};
use crate::HttpState;

/// The charts, as SVG drawn from numbers with every label escaped (printed with `|safe`).
struct Charts {
    days: String,
    methods: String,
    status: String,
    products: String,
}

/// Texts built from the figures (counts inside sentences).
struct Hints {
    sales_today: String,
    sales_month: String,
    machines: String,
    overdue: String,
    over_short: String,
    offline_more: String,
    low_more: String,
    timezone: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard/index.html")]
struct DashboardPage {
    page: PageCtx,
    v: DashboardView,
    charts: Charts,
    hints: Hints,
}

fn status_key(status: &str) -> String {
    format!("dashboard.status.{status}")
}

fn payment_key(method: &str) -> String {
    format!("dashboard.payment.{method}")
}

/// A catalog text, or the raw value when the catalog has no such key (a status or method added later).
fn label(t: Tr, key: &str, raw: &str) -> String {
    match t.t(key) {
        "[?]" => raw.to_owned(),
        text => text.to_owned(),
    }
}

fn draw(v: &DashboardView, t: Tr) -> Charts {
    let days: Vec<Datum> = v
        .sales_by_day
        .iter()
        .map(|d| Datum::new(t.date(&d.day), d.amount, t.money(d.amount)))
        .collect();
    let methods: Vec<Datum> = v
        .sales_by_payment_method
        .iter()
        .map(|m| {
            Datum::new(
                label(t, &payment_key(&m.payment_method), &m.payment_method),
                m.amount,
                t.money(m.amount),
            )
        })
        .collect();
    let status: Vec<Datum> = v
        .machines_by_status
        .iter()
        .map(|s| {
            Datum::new(
                label(t, &status_key(&s.status), &s.status),
                s.count,
                t.number(s.count),
            )
        })
        .collect();
    let products: Vec<Datum> = v
        .top_products
        .iter()
        .map(|p| {
            let name = match t.code() {
                "ru" => &p.name_ru,
                "en" => &p.name_en,
                _ => &p.name_uz,
            };
            Datum::new(name.clone(), p.amount, t.money(p.amount))
        })
        .collect();
    Charts {
        days: charts::line(t.t("dashboard.chart_days"), &days),
        methods: charts::donut_or_stacked(t.t("dashboard.chart_methods"), &methods),
        status: charts::donut_or_stacked(t.t("dashboard.chart_status"), &status),
        products: charts::bars(t.t("dashboard.chart_products"), &products),
    }
}

fn more(t: Tr, total: i64, shown: usize) -> String {
    let rest = total.saturating_sub(i64::try_from(shown).unwrap_or(0));
    if rest > 0 {
        t.fill("dashboard.more", &[("n", &t.number(rest))])
    } else {
        String::new()
    }
}

fn hints(v: &DashboardView, t: Tr) -> Hints {
    Hints {
        sales_today: t.fill("dashboard.sales_count", &[("n", &t.number(v.sales_today.count))]),
        sales_month: t.fill("dashboard.sales_count", &[("n", &t.number(v.sales_month.count))]),
        machines: t.fill(
            "dashboard.machines_hint",
            &[
                ("offline", &t.number(v.offline_total)),
                ("low", &t.number(v.low_stock_total)),
            ],
        ),
        overdue: t.fill("dashboard.tasks_overdue", &[("n", &t.number(v.tasks_overdue))]),
        over_short: t.fill("dashboard.over_short_hint", &[("n", &v.last_collections.len())]),
        offline_more: more(t, v.offline_total, v.offline_machines.len()),
        low_more: more(t, v.low_stock_total, v.low_stock_machines.len()),
        timezone: t.fill("dashboard.timezone", &[("tz", &v.timezone)]),
    }
}

async fn dashboard(State(s): State<HttpState>, panel: Panel) -> Result<Response, WebError> {
    panel.require(Permission::DashboardsRead)?;
    let v = dashboard::summary(&s.app, &panel.who).await?;
    let charts = draw(&v, panel.page.t);
    let hints = hints(&v, panel.page.t);
    page(&DashboardPage {
        page: panel.page,
        v,
        charts,
        hints,
    })
}

pub fn routes() -> Router<HttpState> {
    Router::new().route("/admin", get(dashboard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_status_and_payment_method_has_a_label_in_every_language() {
        let methods = [
            "cash", "card", "payme", "click", "uzum", "telegram", "free", "test",
        ];
        for lang in Lang::ALL {
            let t = Tr::new(lang, "Asia/Tashkent");
            for s in vendhub_domain::machine::MachineStatus::ALL {
                assert_ne!(t.t(&status_key(s.as_str())), "[?]", "{s}");
            }
            for m in methods {
                assert_ne!(t.t(&payment_key(m)), "[?]", "{m}");
            }
        }
    }
}
