//! Offline detection: machines not heard from for `MACHINE_OFFLINE_AFTER` are marked offline, with a
//! `machine:status` event each; their next heartbeat brings them back (see `events`).

use std::time::Duration;

use crate::{App, AppError};

/// Marks silent machines offline; answers how many changed.
pub async fn mark_silent_machines(app: &App, after: Duration) -> Result<usize, AppError> {
    let after = chrono::TimeDelta::from_std(after).map_err(AppError::internal)?;
    let cutoff = app.now() - after;
    let changed = app
        .db()
        .run(move |c| {
            let mut changed = Vec::new();
            for (machine, org, previous) in vendhub_store::gateway::silent_since(c, cutoff)? {
                if vendhub_store::write(c, |c| vendhub_store::gateway::mark_offline(c, &machine, cutoff))? {
                    changed.push((machine, org, previous));
                }
            }
            Ok(changed)
        })
        .await?;
    for (machine, org, previous) in &changed {
        tracing::info!(machine.id = %machine, "machine offline: not heard from in time");
        super::publish(
            app,
            "machine:status",
            org,
            machine,
            serde_json::json!({ "machine_id": machine, "status": "offline", "previous": previous }),
        )
        .await;
    }
    Ok(changed.len())
}
