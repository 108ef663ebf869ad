//! The dashboard: an organization's sales today and this month (days in its own time zone), its machines
//! by status and those needing a visit, open and overdue tasks, the cash the machines hold, the latest
//! collections' over/short, and the figures of its charts. The API and the panel show the same view.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vendhub_domain::machine::MachineStatus;
use vendhub_domain::planogram::DEFAULT_LOW_STOCK_PERCENT;
use vendhub_domain::roles::Permission;
use vendhub_store::cash_collections::{self, CollectionFilter};
use vendhub_store::{DbConn, StoreError, TenantScope, dashboard, organizations};

use crate::auth::Principal;
use crate::{App, AppError};

/// Days the sales chart covers (today included).
pub const CHART_DAYS: u64 = 30;
/// Rows of each list (the counts tell how many there are in all).
const LIST_LIMIT: usize = 10;
const TOP_PRODUCTS: i64 = 5;
const LAST_COLLECTIONS: i64 = 5;

/// A number of sales and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardSales)]
pub struct Sales {
    pub count: i64,
    /// Tiyin.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardStatusCount)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// A machine that needs a visit.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardMachine)]
pub struct MachineBrief {
    pub id: String,
    pub number: String,
    pub name: String,
    pub status: String,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Slots below the low-stock threshold (0 in the offline list).
    pub low_slots: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardTask)]
pub struct TaskBrief {
    pub id: String,
    pub number: String,
    pub title: String,
    pub machine_id: String,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardCollection)]
pub struct CollectionBrief {
    pub id: String,
    pub machine_id: String,
    pub machine_number: String,
    pub collected_at: DateTime<Utc>,
    /// Tiyin.
    pub counted: i64,
    /// Tiyin.
    pub expected: i64,
    /// Tiyin: counted − expected (negative: short).
    pub over_short: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardDay)]
pub struct DaySales {
    /// A day in the organization's time zone.
    pub day: NaiveDate,
    pub count: i64,
    /// Tiyin.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardPaymentMethod)]
pub struct MethodSales {
    pub payment_method: String,
    pub count: i64,
    /// Tiyin.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardProduct)]
pub struct ProductSales {
    pub product_id: String,
    pub name_uz: String,
    pub name_ru: String,
    pub name_en: String,
    pub quantity: i64,
    /// Tiyin.
    pub amount: i64,
}

/// Everything the dashboard shows. Money in tiyin; "today" and "this month" in the organization's zone.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DashboardView)]
pub struct DashboardView {
    /// The organization's IANA time zone the days are counted in.
    pub timezone: String,
    /// Today in that zone.
    pub today: NaiveDate,
    pub sales_today: Sales,
    pub sales_month: Sales,
    pub machines_total: i64,
    /// Every status, zero counts included.
    pub machines_by_status: Vec<StatusCount>,
    pub offline_total: i64,
    /// The first offline machines by number.
    pub offline_machines: Vec<MachineBrief>,
    pub low_stock_total: i64,
    /// The first machines with low slots by number.
    pub low_stock_machines: Vec<MachineBrief>,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    /// The longest overdue open tasks.
    pub overdue_tasks: Vec<TaskBrief>,
    /// Tiyin: cash sales since each machine's latest collection, over the fleet.
    pub cash_expected: i64,
    /// The latest confirmed collections.
    pub last_collections: Vec<CollectionBrief>,
    /// Tiyin: the sum of their over/short.
    pub last_collections_over_short: i64,
    /// The last [`CHART_DAYS`] days, oldest first, days without sales included.
    pub sales_by_day: Vec<DaySales>,
    /// Over the same days.
    pub sales_by_payment_method: Vec<MethodSales>,
    /// Over the same days, by amount.
    pub top_products: Vec<ProductSales>,
}

/// The zone of an organization's `timezone` setting (Tashkent when it is not one chrono-tz knows).
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Tashkent)
}

/// The day `at` falls on in `tz`.
pub fn local_day(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// When `day` starts in `tz`, in UTC (the first instant of the day where a time change skips midnight).
pub fn day_start(tz: Tz, day: NaiveDate) -> NaiveDateTime {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                .earliest()
        })
        .map_or(midnight, |t| t.naive_utc())
}

/// `[start, end)` of `day` in `tz`, in UTC.
pub fn day_bounds(tz: Tz, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (day_start(tz, day), day_start(tz, next))
}

/// `[start, end)` of the month of `day` in `tz`, in UTC.
pub fn month_bounds(tz: Tz, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let first = day.with_day(1).unwrap_or(day);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    (day_start(tz, first), day_start(tz, next))
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The organization's dashboard.
#[tracing::instrument(skip_all, err, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn summary(app: &App, who: &Principal) -> Result<DashboardView, AppError> {
    who.require(Permission::DashboardsRead)?;
    let ttl = app.settings().dashboard_cache_ttl;
    if ttl.is_zero() {
        return compute(app, who).await;
    }
    // The figures read every sale of the month: one organization's are computed at most once per `ttl`
    // and shared by everyone who looks (on every replica, when the cache is Redis). A cache that does not
    // answer only costs the computation.
    let key = format!("dashboard:{}", who.organization_id());
    if let Ok(Some(bytes)) = app.cache().get(&key).await
        && let Ok(view) = serde_json::from_slice::<DashboardView>(&bytes)
    {
        return Ok(view);
    }
    let view = compute(app, who).await?;
    if let Ok(bytes) = serde_json::to_vec(&view)
        && let Err(e) = app.cache().set(&key, &bytes, ttl).await
    {
        tracing::warn!(error = %e, "the dashboard's figures could not be cached");
    }
    Ok(view)
}

/// The figures, read now.
async fn compute(app: &App, who: &Principal) -> Result<DashboardView, AppError> {
    let scope = who.scope().clone();
    let now = app.now();
    let view = app
        .db()
        .run(move |c| {
            let Some(org) = organizations::get(c, &scope)? else {
                return Ok(None);
            };
            let tz = zone(&org.timezone);
            let today = local_day(tz, utc(now));
            let mut v = DashboardView::empty(tz.name(), today);
            sales(c, &scope, tz, &mut v)?;
            machines(c, &scope, &mut v)?;
            tasks(c, &scope, now, &mut v)?;
            cash(c, &scope, &mut v)?;
            Ok(Some(v))
        })
        .await?;
    view.ok_or(AppError::NotFound)
}

impl DashboardView {
    fn empty(timezone: &str, today: NaiveDate) -> Self {
        Self {
            timezone: timezone.to_owned(),
            today,
            sales_today: Sales::default(),
            sales_month: Sales::default(),
            machines_total: 0,
            machines_by_status: Vec::new(),
            offline_total: 0,
            offline_machines: Vec::new(),
            low_stock_total: 0,
            low_stock_machines: Vec::new(),
            tasks_open: 0,
            tasks_overdue: 0,
            overdue_tasks: Vec::new(),
            cash_expected: 0,
            last_collections: Vec::new(),
            last_collections_over_short: 0,
            sales_by_day: Vec::new(),
            sales_by_payment_method: Vec::new(),
            top_products: Vec::new(),
        }
    }
}

/// Today, this month, and the chart days, by day, payment method and product.
fn sales(c: &mut DbConn, scope: &TenantScope, tz: Tz, v: &mut DashboardView) -> Result<(), StoreError> {
    let today = v.today;
    let (today_from, today_to) = day_bounds(tz, today);
    let (month_from, month_to) = month_bounds(tz, today);
    let first_day = today.checked_sub_days(Days::new(CHART_DAYS - 1)).unwrap_or(today);
    let chart_from = day_start(tz, first_day);

    let count = |(count, amount): (i64, i64)| Sales { count, amount };
    let sales_today = count(dashboard::sales_between(c, scope, today_from, today_to)?);
    let sales_month = count(dashboard::sales_between(c, scope, month_from, month_to)?);
    let mut sales_by_day = Vec::with_capacity(30);
    let mut day = first_day;
    while day <= today {
        let (from, to) = day_bounds(tz, day);
        let s = count(dashboard::sales_between(c, scope, from, to)?);
        sales_by_day.push(DaySales {
            day,
            count: s.count,
            amount: s.amount,
        });
        let Some(next) = day.checked_add_days(Days::new(1)) else {
            break;
        };
        day = next;
    }
    let sales_by_payment_method = dashboard::sales_by_payment_method(c, scope, chart_from, today_to)?
        .into_iter()
        .map(|(payment_method, count, amount)| MethodSales {
            payment_method,
            count,
            amount,
        })
        .collect();
    let top_products = dashboard::top_products(c, scope, chart_from, today_to, TOP_PRODUCTS)?
        .into_iter()
        .map(
            |(product_id, name_uz, name_ru, name_en, quantity, amount)| ProductSales {
                product_id,
                name_uz,
                name_ru,
                name_en,
                quantity,
                amount,
            },
        )
        .collect();

    v.sales_today = sales_today;
    v.sales_month = sales_month;
    v.sales_by_day = sales_by_day;
    v.sales_by_payment_method = sales_by_payment_method;
    v.top_products = top_products;
    Ok(())
}

/// Machines by status, offline, low on stock.
fn machines(c: &mut DbConn, scope: &TenantScope, v: &mut DashboardView) -> Result<(), StoreError> {
    let found = dashboard::machines_by_status(c, scope)?;
    let mut machines_by_status: Vec<StatusCount> = MachineStatus::ALL
        .iter()
        .map(|s| StatusCount {
            status: s.as_str().to_owned(),
            count: 0,
        })
        .collect();
    for (status, n) in found {
        match machines_by_status.iter_mut().find(|s| s.status == status) {
            Some(s) => s.count += n,
            None => machines_by_status.push(StatusCount { status, count: n }),
        }
    }
    let machines_total = machines_by_status.iter().map(|s| s.count).sum();

    let offline = dashboard::machines_in_status(c, scope, &[MachineStatus::Offline.as_str()])?;
    let offline_total = i64::try_from(offline.len()).unwrap_or(i64::MAX);
    let offline_machines = offline
        .into_iter()
        .take(LIST_LIMIT)
        .map(|(id, number, name, status, seen)| MachineBrief {
            id,
            number,
            name,
            status,
            last_seen_at: seen.map(utc),
            low_slots: 0,
        })
        .collect();
    let low = dashboard::machines_low_on_stock(c, scope, DEFAULT_LOW_STOCK_PERCENT)?;
    let low_stock_total = i64::try_from(low.len()).unwrap_or(i64::MAX);
    let low_stock_machines = low
        .into_iter()
        .take(LIST_LIMIT)
        .map(|((id, number, name, status, seen), low_slots)| MachineBrief {
            id,
            number,
            name,
            status,
            last_seen_at: seen.map(utc),
            low_slots,
        })
        .collect();

    v.machines_by_status = machines_by_status;
    v.machines_total = machines_total;
    v.offline_total = offline_total;
    v.offline_machines = offline_machines;
    v.low_stock_total = low_stock_total;
    v.low_stock_machines = low_stock_machines;
    Ok(())
}

/// Open and overdue tasks.
fn tasks(
    c: &mut DbConn,
    scope: &TenantScope,
    now: NaiveDateTime,
    v: &mut DashboardView,
) -> Result<(), StoreError> {
    let (tasks_open, tasks_overdue) = dashboard::open_tasks(c, scope, now)?;
    let overdue_tasks = dashboard::overdue_tasks(c, scope, now, i64::try_from(LIST_LIMIT).unwrap_or(10))?
        .into_iter()
        .map(|(id, number, title, machine_id, due)| TaskBrief {
            id,
            number,
            title,
            machine_id,
            due_at: due.map(utc),
        })
        .collect();

    v.tasks_open = tasks_open;
    v.tasks_overdue = tasks_overdue;
    v.overdue_tasks = overdue_tasks;
    Ok(())
}

/// Cash expected in the machines and the latest confirmed collections.
fn cash(c: &mut DbConn, scope: &TenantScope, v: &mut DashboardView) -> Result<(), StoreError> {
    let cash_expected = dashboard::cash_expected(c, scope)?;
    let filter = CollectionFilter {
        confirmed: Some(true),
        ..Default::default()
    };
    let (collections, _) = cash_collections::list(c, scope, &filter, 0, LAST_COLLECTIONS)?;
    let ids: Vec<String> = collections.iter().map(|r| r.machine_id.clone()).collect();
    let numbers: std::collections::HashMap<String, String> =
        dashboard::machine_numbers(c, scope, &ids)?.into_iter().collect();
    let last_collections: Vec<CollectionBrief> = collections
        .into_iter()
        .map(|r| CollectionBrief {
            machine_number: numbers.get(&r.machine_id).cloned().unwrap_or_default(),
            id: r.id,
            machine_id: r.machine_id,
            collected_at: utc(r.collected_at),
            counted: r.counted,
            expected: r.expected,
            over_short: r.over_short,
        })
        .collect();
    let last_collections_over_short = last_collections
        .iter()
        .fold(0_i64, |a, r| a.saturating_add(r.over_short));

    v.cash_expected = cash_expected;
    v.last_collections = last_collections;
    v.last_collections_over_short = last_collections_over_short;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_sale_late_on_december_6_in_utc_is_on_december_7_in_tashkent() {
        let tz = zone("Asia/Tashkent");
        assert_eq!(local_day(tz, at("2026-12-06T23:30:00Z")), date(2026, 12, 7));
        assert_eq!(
            local_day(zone("UTC"), at("2026-12-06T23:30:00Z")),
            date(2026, 12, 6)
        );
        let (from, to) = day_bounds(tz, date(2026, 12, 7));
        assert_eq!(from.to_string(), "2026-12-06 19:00:00");
        assert_eq!(to.to_string(), "2026-12-07 19:00:00");
        let sale = at("2026-12-06T23:30:00Z").naive_utc();
        assert!(from <= sale && sale < to);
    }

    #[test]
    fn a_month_runs_from_local_midnight_of_its_first_to_the_next_ones() {
        let (from, to) = month_bounds(zone("Asia/Tashkent"), date(2026, 12, 7));
        assert_eq!(from.to_string(), "2026-11-30 19:00:00");
        assert_eq!(to.to_string(), "2026-12-31 19:00:00");
    }

    #[test]
    fn days_follow_daylight_saving_time_and_an_unknown_zone_is_tashkent() {
        // Berlin: 23 hours on the last Sunday of March.
        let (from, to) = day_bounds(zone("Europe/Berlin"), date(2026, 3, 29));
        assert_eq!((to - from).num_hours(), 23);
        assert_eq!(zone("Mars/Olympus"), chrono_tz::Asia::Tashkent);
    }
}
