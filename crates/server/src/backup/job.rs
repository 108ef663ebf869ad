//! The scheduled daily backup (`BACKUP_ENABLED=true`): a job kind enqueued by the scheduler's leader at
//! `BACKUP_CRON`'s time of day, so one replica runs it; it writes a backup into `BACKUP_DIR` and then
//! prunes backups older than `BACKUP_KEEP_DAYS`.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use vendhub_jobs::{Handler, JobContext, JobError, Registry, Schedule};

use super::Target;

pub const BACKUP: &str = "maintenance.backup";

struct DailyBackup {
    target: Target,
    dir: PathBuf,
    keep_days: u32,
    upload: bool,
}

#[async_trait]
impl Handler for DailyBackup {
    async fn run(&self, ctx: &JobContext, _payload: serde_json::Value) -> Result<(), JobError> {
        let target = self.target.clone();
        let dir = self.dir.clone();
        let keep_days = self.keep_days;
        let (created, pruned) = tokio::task::spawn_blocking(move || {
            let created = super::create(&target, &dir)?;
            let pruned = super::prune(&dir, keep_days)?;
            Ok::<_, super::BackupError>((created, pruned))
        })
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
        .map_err(|e| JobError::Retry(e.to_string()))?;
        if self.upload {
            let key = super::upload(ctx.app.blobs().as_ref(), &created.path)
                .await
                .map_err(|e| JobError::Retry(e.to_string()))?;
            tracing::info!(key, "scheduled backup uploaded");
        }
        tracing::info!(
            path = %created.path.display(),
            size = created.size,
            pruned = pruned.removed.len(),
            "scheduled backup written"
        );
        Ok(())
    }
}

/// The handler and its daily schedule, when scheduled backups are on.
pub fn daily(config: &crate::config::Config) -> Option<(Registry, Schedule)> {
    if !config.backup.enabled {
        return None;
    }
    let mut registry = Registry::new();
    registry.register(
        BACKUP,
        DailyBackup {
            target: Target::from_config(config),
            dir: config.backup.dir.clone(),
            keep_days: config.backup.keep_days,
            upload: config.backup.s3_upload,
        },
    );
    let schedule = Schedule::every(BACKUP, Duration::from_secs(86_400)).at_offset(config.backup.daily_at);
    Some((registry, schedule))
}
