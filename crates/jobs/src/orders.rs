//! Order jobs: unpaid orders expire after their 15 minutes (the reserved unit is free again), and vend
//! commands no machine took or answered in time expire and refund their orders. The refund job itself
//! (`orders.refund`, queued in the transaction that starts a refund) asks the order's provider.

use std::time::Duration;

use async_trait::async_trait;
use vendhub_app::orders::refunds::{self, ProviderRefundOutcome};

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

/// `orders.refund`: the order's provider is asked for the money back (see
/// `vendhub_app::orders::refunds::through_provider`). A refusal, a timeout or a database error tries again
/// with the worker's backoff; after the last attempt the job is dead and the order stays `refund_pending`
/// for the accountant.
struct Refund;

#[async_trait]
impl Handler for Refund {
    async fn run(&self, ctx: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let (Some(order), Some(org)) = (payload["order_id"].as_str(), payload["organization_id"].as_str())
        else {
            return Err(JobError::Permanent(format!(
                "orders.refund needs order_id and organization_id, got {payload}"
            )));
        };
        match refunds::through_provider(&ctx.app, order, org, ctx.attempt).await {
            Ok(ProviderRefundOutcome::Waiting(reason)) => {
                tracing::info!(order, reason, "refund waits for the provider or the accountant");
                Ok(())
            }
            Ok(outcome) => {
                tracing::info!(order, ?outcome, "refund job done");
                Ok(())
            }
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}

pub fn register(r: &mut Registry) {
    r.register(EXPIRE, Expire);
    r.register(vendhub_app::orders::lifecycle::REFUND_JOB, Refund);
}

/// Every 15 seconds: a vend command's time to live is minutes, an order's 15 minutes.
pub fn schedules() -> Vec<Schedule> {
    vec![Schedule::every(EXPIRE, Duration::from_secs(15))]
}
