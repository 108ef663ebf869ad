//! Housekeeping jobs: pruning finished jobs.

use std::time::Duration;

use async_trait::async_trait;

use crate::registry::{Handler, JobContext, JobError, Registry};
use crate::scheduler::Schedule;

pub const PRUNE_JOBS: &str = "maintenance.prune_jobs";

/// How long finished jobs are kept.
const KEEP_DONE: chrono::Duration = chrono::Duration::days(7);

struct PruneJobs;

#[async_trait]
impl Handler for PruneJobs {
    async fn run(&self, ctx: &JobContext, _payload: serde_json::Value) -> Result<(), JobError> {
        let before = vendhub_store::now() - KEEP_DONE;
        let n = ctx
            .app
            .db()
            .run(move |c| vendhub_store::jobs::prune_done(c, before))
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::info!(deleted = n, "pruned finished jobs");
        Ok(())
    }
}

pub fn register(r: &mut Registry) {
    r.register(PRUNE_JOBS, PruneJobs);
}

/// The periodic jobs of this family.
pub fn schedules() -> Vec<Schedule> {
    vec![Schedule::every(PRUNE_JOBS, Duration::from_secs(3600))]
}
