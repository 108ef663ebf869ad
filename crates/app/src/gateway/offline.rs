//! Offline detection: machines not heard from for `MACHINE_OFFLINE_AFTER` are marked offline, with a
//! `machine:status` event each; their next heartbeat brings them back (see `events`).

use std::time::Duration;

use vendhub_domain::ids::OrganizationId;
use vendhub_store::{StoreError, TenantScope};

use crate::{App, AppError};

/// Across organizations: marks the silent machines of the whole fleet offline (a sweep the job runs, for
/// no one caller); answers how many changed.
pub async fn mark_silent_machines(app: &App, after: Duration) -> Result<usize, AppError> {
    let after = chrono::TimeDelta::from_std(after).map_err(AppError::internal)?;
    let cutoff = app.now() - after;
    let changed = app
        .db()
        .run(move |c| {
            let mut changed = Vec::new();
            for (machine, org, previous) in vendhub_store::gateway::silent_since(c, cutoff)? {
                let id: OrganizationId = org
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("machine {machine}: organization id")))?;
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the organization of the row the sweep just read"
                )]
                let scope = TenantScope::authenticated(id);
                if vendhub_store::write(c, |c| {
                    vendhub_store::gateway::mark_offline(c, &scope, &machine, cutoff)
                })? {
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
