//! Fleet jobs: offline detection. Machines not heard from for `MACHINE_OFFLINE_AFTER` are marked
//! offline (a `machine:status` event each); their next heartbeat brings them back.

use std::time::Duration;

use async_trait::async_trait;

use crate::registry::{Handler, JobContext, JobError, Registry};
use crate::scheduler::Schedule;

pub const MARK_OFFLINE: &str = "fleet.mark_offline";

struct MarkOffline;

#[async_trait]
impl Handler for MarkOffline {
    /// Across organizations: the sweep reads every silent machine and marks each offline in its own
    /// organization's scope (`gateway::offline::mark_silent_machines`).
    async fn run(&self, ctx: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let secs = payload["schedule"]["offline_after_secs"]
            .as_u64()
            .unwrap_or(15 * 60);
        let n = vendhub_app::gateway::offline::mark_silent_machines(&ctx.app, Duration::from_secs(secs))
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        if n > 0 {
            tracing::info!(machines = n, "marked silent machines offline");
        }
        Ok(())
    }
}

pub fn register(r: &mut Registry) {
    r.register(MARK_OFFLINE, MarkOffline);
}

/// Offline detection, checked every minute (or every `offline_after`, when that is shorter).
pub fn schedules(offline_after: Duration) -> Vec<Schedule> {
    let mut s = Schedule::every(MARK_OFFLINE, offline_after.min(Duration::from_secs(60)));
    s.payload = serde_json::json!({ "offline_after_secs": offline_after.as_secs() });
    vec![s]
}
