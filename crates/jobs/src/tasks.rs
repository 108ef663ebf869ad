//! Task automation jobs: refill tasks for low machines, escalation of overdue tasks.

use std::time::Duration;

use async_trait::async_trait;
use vendhub_app::tasks::automation;

use crate::registry::{Handler, JobContext, JobError, Registry};
use crate::scheduler::Schedule;

pub const CREATE_REFILL_TASKS: &str = "tasks.create_refill";
pub const ESCALATE_OVERDUE: &str = "tasks.escalate_overdue";

struct CreateRefillTasks;

#[async_trait]
impl Handler for CreateRefillTasks {
    async fn run(&self, ctx: &JobContext, _payload: serde_json::Value) -> Result<(), JobError> {
        let n = automation::create_refill_tasks(&ctx.app)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::info!(created = n, "refill tasks for low machines");
        Ok(())
    }
}

struct EscalateOverdue;

#[async_trait]
impl Handler for EscalateOverdue {
    async fn run(&self, ctx: &JobContext, _payload: serde_json::Value) -> Result<(), JobError> {
        let n = automation::escalate_overdue(&ctx.app)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::info!(escalated = n, "overdue tasks escalated");
        Ok(())
    }
}

pub fn register(r: &mut Registry) {
    r.register(CREATE_REFILL_TASKS, CreateRefillTasks);
    r.register(ESCALATE_OVERDUE, EscalateOverdue);
}

/// The periodic jobs of this family.
pub fn schedules() -> Vec<Schedule> {
    vec![
        Schedule::every(CREATE_REFILL_TASKS, Duration::from_secs(15 * 60)),
        Schedule::every(ESCALATE_OVERDUE, Duration::from_secs(5 * 60)),
    ]
}
