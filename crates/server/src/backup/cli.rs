//! `vendhub backup …`: the subcommands and what each prints.

use std::path::PathBuf;

use clap::Subcommand;

use super::{BackupError, Target};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Write a backup archive (consistent while the server runs) into `BACKUP_DIR` or `--out`.
    Create {
        /// The folder to write into (default: `BACKUP_DIR`, `./data/backups`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a backup archive: readable, checksums, manifest.
    Verify { file: PathBuf },
    /// Restore a backup into `DATABASE_URL` (the server must be stopped).
    Restore {
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        yes: bool,
    },
    /// Delete backups in `BACKUP_DIR` older than N days (the newest is always kept).
    Prune {
        #[arg(long)]
        keep_days: u32,
    },
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

fn rows(m: &super::Manifest) -> i64 {
    m.row_counts
        .iter()
        .filter(|(t, _)| *t != vendhub_store::whole_database::MIGRATIONS_TABLE)
        .map(|(_, n)| n)
        .sum()
}

pub async fn run(action: BackupAction) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    crate::telemetry::init(&config);
    let target = Target::from_config(&config);
    match action {
        BackupAction::Create { out } => {
            let dir = out.unwrap_or_else(|| config.backup.dir.clone());
            let store = if config.backup.s3_upload {
                Some(crate::wiring::blobs(&config).map_err(|e| e.to_string())?)
            } else {
                None
            };
            let c = blocking(move || super::create(&target, &dir)).await?;
            println!(
                "Backup written: {} ({} bytes; {}, schema {}, {} tables, {} rows, {} files)",
                c.path.display(),
                c.size,
                c.manifest.backend,
                c.manifest.schema_version.as_deref().unwrap_or("none"),
                c.manifest.row_counts.len(),
                rows(&c.manifest),
                c.manifest
                    .entries
                    .iter()
                    .filter(|e| e.path.starts_with("files/"))
                    .count()
            );
            if let Some(store) = store {
                let key = super::upload(store.as_ref(), &c.path)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("Uploaded to s3://{}/{key}", config.storage.bucket);
            }
        }
        BackupAction::Verify { file } => {
            let shown = file.display().to_string();
            let m = blocking(move || super::verify(&file)).await?;
            println!(
                "Backup OK: {shown} ({}, schema {}, created {}, {} entries, {} rows)",
                m.backend,
                m.schema_version.as_deref().unwrap_or("none"),
                m.created_at,
                m.entries.len(),
                rows(&m)
            );
        }
        BackupAction::Restore { file, yes } => {
            let shown = file.display().to_string();
            let url = target.url.redacted();
            let r = blocking(move || super::restore(&target, &file, yes)).await?;
            println!(
                "Restored {shown} into {url} (schema {}, {} rows, {} files). Start the server: pending migrations run at start.",
                r.manifest.schema_version.as_deref().unwrap_or("none"),
                rows(&r.manifest),
                r.files_restored
            );
        }
        BackupAction::Prune { keep_days } => {
            let dir = config.backup.dir.clone();
            let p = blocking(move || super::prune(&dir, keep_days)).await?;
            for path in &p.removed {
                println!("Removed {}", path.display());
            }
            println!(
                "Pruned {} backups older than {keep_days} days; {} kept.",
                p.removed.len(),
                p.kept
            );
        }
    }
    Ok(())
}

pub async fn export(out: Option<PathBuf>) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    crate::telemetry::init(&config);
    let target = Target::from_config(&config);
    let out = out.unwrap_or_else(|| {
        PathBuf::from(format!(
            "vendhub-export-{}.tar.gz",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    let shown = out.display().to_string();
    let m = blocking(move || super::portable::export(&target, &out)).await?;
    println!(
        "Export written: {shown} ({}, schema {}, {} tables, {} rows)",
        m.backend,
        m.schema_version.as_deref().unwrap_or("none"),
        m.row_counts.len(),
        rows(&m)
    );
    Ok(())
}

pub async fn import(file: PathBuf) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    crate::telemetry::init(&config);
    let target = Target::from_config(&config);
    let url = target.url.redacted();
    let shown = file.display().to_string();
    let m = blocking(move || super::portable::import(&target, &file)).await?;
    println!(
        "Imported {shown} ({} export, schema {}, {} rows) into {url}",
        m.backend,
        m.schema_version.as_deref().unwrap_or("none"),
        rows(&m)
    );
    Ok(())
}
