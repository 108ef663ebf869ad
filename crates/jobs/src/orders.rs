//! Order jobs: unpaid orders expire after their 15 minutes (the reserved unit is free again), and vend
//! commands no machine took or answered in time expire and refund their orders. The refund job itself
//! (`orders.refund`, queued in the transaction that starts a refund) asks the order's provider.

use std::time::Duration;

use async_trait::async_trait;

use crate::registry::{Handler, JobContext, JobError, Registry};
use crate::scheduler::Schedule;

pub const EXPIRE: &str = "orders.expire";

struct Expire;

#[async_trait]
impl Handler for Expire {
    /// Across organizations: each expired order and command is changed in its own organization's scope.
    async fn run(&self, ctx: &JobContext, _payload: serde_json::Value) -> Result<(), JobError> {
        let orders = vendhub_app::orders::expire_due(&ctx.app)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let commands = vendhub_app::orders::commands::expire_overdue(&ctx.app)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        if orders + commands > 0 {
            tracing::info!(
                orders,
                commands,
                "expired unpaid orders and untaken vend commands"
            );
        }
        Ok(())
    }
}

pub fn register(r: &mut Registry) {
    r.register(EXPIRE, Expire);
}

/// Every 15 seconds: a vend command's time to live is minutes, an order's 15 minutes.
pub fn schedules() -> Vec<Schedule> {
    vec![Schedule::every(EXPIRE, Duration::from_secs(15))]
}
