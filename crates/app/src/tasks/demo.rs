//! Demo tasks for `seed --demo`: one in every state, a completed refill and collection (through the same
//! completion code as the API, so the ledger agrees), and photos.

use vendhub_domain::stock::{Holder, Qty};
use vendhub_domain::tasks::{Priority, TaskStatus, TaskType};
use vendhub_store::tasks::{self, PhotoRow, TaskRow};
use vendhub_store::{DbConn, StoreError, TenantScope, machines, planograms};

use super::complete::{CompleteRequest, collect, refill};
use super::{NewItem, NewTask, insert_task};
use crate::AppError;
use crate::stock::ledger::{self, Movement, Reference, Route};

/// A one-pixel PNG for the demo photos.
pub const DEMO_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0,
    0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0,
    1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[expect(clippy::needless_pass_by_value, reason = "the function `map_err` is given")]
fn fail(e: AppError) -> StoreError {
    StoreError::Corrupt(format!("demo task refused: {e}"))
}

fn set_state(
    c: &mut DbConn,
    scope: &TenantScope,
    t: &TaskRow,
    status: TaskStatus,
    reason: Option<&str>,
) -> Result<TaskRow, StoreError> {
    let now = vendhub_store::now();
    let after = TaskRow {
        status: status.as_str().into(),
        status_reason: reason.map(str::to_owned),
        started_at: matches!(
            status,
            TaskStatus::InProgress | TaskStatus::Completed | TaskStatus::Rejected
        )
        .then_some(now - chrono::Duration::minutes(40)),
        completed_at: matches!(status, TaskStatus::Completed | TaskStatus::Rejected).then_some(now),
        completed_by: matches!(status, TaskStatus::Completed | TaskStatus::Rejected)
            .then(|| t.assignee_id.clone())
            .flatten(),
        updated_at: now,
        ..t.clone()
    };
    tasks::save_if(c, scope, &after, &t.status)?;
    Ok(after)
}

/// Inserts the demo tasks; answers the blob keys of the photos to store.
pub(crate) fn insert(c: &mut DbConn, scope: &TenantScope) -> Result<Vec<String>, StoreError> {
    let warehouse = vendhub_store::warehouses::list(c, scope)?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)?
        .id;
    let (fleet, _) = machines::list(
        c,
        scope,
        &machines::MachineFilter {
            sort: "number".into(),
            ..machines::MachineFilter::default()
        },
        0,
        10,
    )?;
    let plan = [
        (TaskType::Refill, TaskStatus::Completed, None),
        (TaskType::Collection, TaskStatus::Completed, None),
        (TaskType::Refill, TaskStatus::Pending, None),
        (TaskType::Cleaning, TaskStatus::Assigned, None),
        (TaskType::Repair, TaskStatus::InProgress, None),
        (
            TaskType::Inspection,
            TaskStatus::Postponed,
            Some("the site was closed"),
        ),
        (
            TaskType::Install,
            TaskStatus::Cancelled,
            Some("the location contract ended"),
        ),
        (
            TaskType::Collection,
            TaskStatus::Rejected,
            Some("the bag number was not written"),
        ),
    ];
    let mut keys = Vec::new();
    for (i, (kind, status, reason)) in plan.into_iter().enumerate() {
        let Some(m) = fleet.get(i) else { break };
        let machine_id =
            m.id.parse()
                .map_err(|_| StoreError::Corrupt("machine id".into()))?;
        let assignee = if status == TaskStatus::Pending {
            None
        } else {
            m.operator_id.clone()
        };
        let slots = planograms::of_machine(c, scope, &m.id)?;
        let items: Vec<NewItem> = if kind == TaskType::Refill {
            slots
                .iter()
                .take(2)
                .map(|s| NewItem {
                    product_id: s.product_id.clone(),
                    slot: Some(s.code.clone()),
                    planned_qty: 1,
                })
                .collect()
        } else {
            Vec::new()
        };
        let new = NewTask {
            task_type: kind,
            priority: if i % 3 == 0 {
                Priority::High
            } else {
                Priority::Normal
            },
            machine_id,
            assignee_id: assignee.as_deref().and_then(|a| a.parse().ok()),
            title: None,
            description: Some("Demo task".into()),
            due_at: Some(
                (vendhub_store::now() + chrono::Duration::hours(i64::try_from(i).unwrap_or(0) * 6 - 12))
                    .and_utc(),
            ),
            requires_photos: Some(kind == TaskType::Refill),
            items: items.clone(),
            checklist: vec!["Check the machine's display".into(), "Wipe the front".into()],
        };
        let t = insert_task(c, scope, None, &new).map_err(fail)?;
        if status == TaskStatus::Pending || status == TaskStatus::Assigned && assignee.is_some() {
            continue;
        }
        let t = set_state(c, scope, &t, status, reason)?;
        complete_demo(c, scope, &warehouse, &t, kind, &items, i, &mut keys)?;
    }
    Ok(keys)
}

/// Completes (and, for a rejected one, reverses) a demo task through the completion code.
#[expect(
    clippy::too_many_arguments,
    reason = "the demo loop's state, passed through once"
)]
fn complete_demo(
    c: &mut DbConn,
    scope: &TenantScope,
    warehouse: &str,
    t: &TaskRow,
    kind: TaskType,
    items: &[NewItem],
    i: usize,
    keys: &mut Vec<String>,
) -> Result<(), StoreError> {
    let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Pending);
    let actor = t.assignee_id.clone().unwrap_or_default();
    if status == TaskStatus::Completed || status == TaskStatus::Rejected {
        if kind == TaskType::Refill {
            // The operator takes the stock from the warehouse first.
            let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("demo stock: {e}"));
            let from = Holder::Warehouse(warehouse.parse().map_err(|e| corrupt(&e))?);
            let to = Holder::Operator(actor.parse().map_err(|e| corrupt(&e))?);
            for item in items {
                let route = Route::between(from.clone(), to.clone()).map_err(|e| corrupt(&e))?;
                let product = item.product_id.parse().map_err(|e| corrupt(&e))?;
                let qty = Qty::movement(item.planned_qty).map_err(|e| corrupt(&e))?;
                let m = Movement::new(route, product, qty, vendhub_store::now()).reference(Reference::Demo);
                ledger::post(c, scope, &m).map_err(|e| corrupt(&AppError::from(e)))?;
            }
            refill(c, scope, t, &CompleteRequest::default(), &actor).map_err(fail)?;
            for (category, minutes) in [("before", 30), ("after", 5)] {
                let id = uuid::Uuid::now_v7().to_string();
                let key = format!("tasks/{scope}/{}/{id}.png", t.id);
                tasks::add_photo(
                    c,
                    scope,
                    &PhotoRow {
                        id,
                        organization_id: scope.org().to_owned(),
                        task_id: t.id.clone(),
                        category: category.into(),
                        blob_key: key.clone(),
                        content_type: "image/png".into(),
                        size_bytes: i64::try_from(DEMO_PHOTO.len()).unwrap_or(0),
                        latitude: Some(41.3165),
                        longitude: Some(69.2495),
                        uploaded_by: Some(actor.clone()),
                        taken_at: vendhub_store::now() - chrono::Duration::minutes(minutes),
                    },
                )?;
                keys.push(key);
            }
        } else if kind == TaskType::Collection {
            let req = CompleteRequest {
                counted: Some(12_500_000),
                bag_number: Some(format!("BAG-{:03}", i + 1)),
                ..CompleteRequest::default()
            };
            collect(c, scope, t, &req, &actor).map_err(fail)?;
            if status == TaskStatus::Rejected {
                vendhub_store::cash_collections::reverse_for_task(c, scope, &t.id, vendhub_store::now())?;
            }
        }
    }
    Ok(())
}
