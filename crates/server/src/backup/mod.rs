//! `vendhub backup create|verify|restore|prune` and the scheduled daily backup: one archive with the
//! database (SQLite `VACUUM INTO`, PostgreSQL `pg_dump --format=custom` of an exported snapshot), the
//! uploaded files and a manifest with checksums, the schema version and row counts per table.
//!
//! A restore refuses a backup of a newer schema, a database that holds data unless told `--yes`, and a
//! running server: `vendhub serve` holds a lock next to the SQLite file, and on PostgreSQL the
//! scheduler's leader holds an advisory lock. On failure the target is left as it was.

pub mod archive;
pub mod cli;
pub mod job;
pub mod lock;
pub mod portable;
mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use vendhub_store::{Backend, DbUrl};

pub use archive::Manifest;

/// Why a backup command failed: one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(String),
    #[error("backup is corrupt: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(String),
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Refused(String),
}

impl From<vendhub_store::StoreError> for BackupError {
    fn from(e: vendhub_store::StoreError) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<diesel::result::Error> for BackupError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e.to_string())
    }
}

/// Where uploaded files are kept.
#[derive(Debug, Clone)]
pub enum FilesAt {
    Local(PathBuf),
    S3 { bucket: String },
}

/// What a backup command needs from the configuration.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: DbUrl,
    pub files: FilesAt,
}

impl Target {
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            url: config.database.url.clone(),
            files: match &config.storage.endpoint {
                None => FilesAt::Local(config.data_dir.join("files")),
                Some(_) => FilesAt::S3 {
                    bucket: config.storage.bucket.clone(),
                },
            },
        }
    }
}

/// A written backup.
#[derive(Debug)]
pub struct Created {
    pub path: PathBuf,
    pub size: u64,
    pub manifest: Manifest,
}

pub const FILE_PREFIX: &str = "vendhub-backup-";
pub const FILE_SUFFIX: &str = ".tar.gz";

/// Writes a backup into `out_dir` (created when missing). Blocking.
pub fn create(target: &Target, out_dir: &Path) -> Result<Created, BackupError> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", out_dir.display())))?;
    let work = tempfile::Builder::new()
        .prefix(".vendhub-backup-work")
        .tempdir_in(out_dir)
        .map_err(|e| BackupError::Io(format!("cannot write in {}: {e}", out_dir.display())))?;
    let dump = match &target.url {
        DbUrl::Sqlite(path) => sqlite::dump(path, work.path())?,
        DbUrl::Postgres(url) => postgres::dump(url, work.path())?,
    };
    let mut files = vec![(dump.entry_name.clone(), dump.file.clone())];
    let files_note = match &target.files {
        FilesAt::Local(dir) => {
            collect_files(dir, dir, &mut files)?;
            archive::FilesNote {
                storage: "local".into(),
                included: true,
                note: None,
            }
        }
        FilesAt::S3 { bucket } => archive::FilesNote {
            storage: "s3".into(),
            included: false,
            note: Some(format!(
                "uploaded files live in the bucket {bucket:?}: back it up with the bucket's versioning or replication"
            )),
        },
    };
    let now = chrono::Utc::now();
    let manifest = Manifest {
        format: archive::FORMAT.into(),
        format_version: archive::FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").into(),
        backend: target.url.backend().as_str().into(),
        schema_version: dump.schema_version,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files: files_note,
        entries: Vec::new(),
        row_counts: dump.row_counts,
    };
    let name = format!(
        "{FILE_PREFIX}{}-{}{FILE_SUFFIX}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        target.url.backend().as_str()
    );
    let partial = work.path().join(format!("{name}.partial"));
    let size = archive::write(&partial, &files, manifest)?;
    let path = out_dir.join(&name);
    // The archive is checked as a reader will see it before it takes its final name.
    let manifest = archive::read(&partial, None)?;
    std::fs::rename(&partial, &path)
        .map_err(|e| BackupError::Io(format!("cannot move the backup to {}: {e}", path.display())))?;
    Ok(Created { path, size, manifest })
}

/// Adds every file under `dir` as `files/<relative path>`.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(BackupError::Io(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((format!("files/{rel}"), path));
        }
    }
    Ok(())
}

/// Uploads a written backup to the bucket under `backups/<file name>`; returns the key.
pub async fn upload(store: &dyn vendhub_app::ports::BlobStore, path: &Path) -> Result<String, BackupError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let data = tokio::fs::read(path)
        .await
        .map_err(|e| BackupError::Io(format!("cannot read {}: {e}", path.display())))?;
    let key = format!("backups/{name}");
    store
        .put(&key, data.into())
        .await
        .map_err(|e| BackupError::Io(format!("upload to S3 failed: {e}")))?;
    Ok(key)
}

/// Checks a backup: readable, every checksum right, nothing missing or extra. Blocking.
pub fn verify(path: &Path) -> Result<Manifest, BackupError> {
    archive::read(path, None)
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub files_restored: usize,
}

/// Restores `path` into the target. Refuses a newer schema, another backend, a running server, and a
/// database that holds data unless `overwrite`. Blocking.
pub fn restore(target: &Target, path: &Path, overwrite: bool) -> Result<Restored, BackupError> {
    let backend = target.url.backend();
    let staging_root = staging_root(target);
    std::fs::create_dir_all(&staging_root)
        .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", staging_root.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".vendhub-restore")
        .tempdir_in(&staging_root)
        .map_err(|e| BackupError::Io(format!("cannot write in {}: {e}", staging_root.display())))?;
    let manifest = archive::read(path, Some(staging.path()))?;
    if manifest.backend != backend.as_str() {
        return Err(BackupError::Refused(format!(
            "this backup is of a {} database and DATABASE_URL is {}: move data between backends with `vendhub export` and `vendhub import`",
            manifest.backend,
            backend.as_str()
        )));
    }
    check_schema(&manifest, backend)?;
    match &target.url {
        DbUrl::Sqlite(db) => sqlite::restore(db, staging.path(), overwrite)?,
        DbUrl::Postgres(url) => postgres::restore(url, staging.path(), overwrite)?,
    }
    let files_restored = match (&target.files, manifest.files.included) {
        (FilesAt::Local(dir), true) => swap_files(&staging.path().join("files"), dir)?,
        _ => 0,
    };
    Ok(Restored {
        manifest,
        files_restored,
    })
}

/// Where a restore or import unpacks: next to what it replaces, so that the swap is a rename on one
/// file system (the SQLite file's folder, else the files folder's parent).
fn staging_root(target: &Target) -> PathBuf {
    match (&target.url, &target.files) {
        (DbUrl::Sqlite(db), _) => sqlite::parent_dir(db),
        (DbUrl::Postgres(_), FilesAt::Local(dir)) => sqlite::parent_dir(dir),
        (DbUrl::Postgres(_), FilesAt::S3 { .. }) => std::env::temp_dir(),
    }
}

/// Refuses a backup whose schema is newer than every migration this binary knows.
fn check_schema(manifest: &Manifest, backend: Backend) -> Result<(), BackupError> {
    let known = vendhub_store::migrations::known_versions(backend)?;
    if let Some(version) = &manifest.schema_version
        && !known.contains(version)
    {
        let newest = known.last().map_or("none", String::as_str);
        return Err(BackupError::Refused(format!(
            "the backup's schema version {version} is not known to this vendhub {} (newest known: {newest}): restore it with the version that made it ({})",
            env!("CARGO_PKG_VERSION"),
            manifest.app_version
        )));
    }
    Ok(())
}

/// Replaces the local files folder with the restored one; returns how many files it holds.
fn swap_files(restored: &Path, dir: &Path) -> Result<usize, BackupError> {
    let fail = |e: std::io::Error| BackupError::Io(format!("cannot replace {}: {e}", dir.display()));
    if !restored.exists() {
        std::fs::create_dir_all(restored).map_err(fail)?;
    }
    let mut count = Vec::new();
    collect_files(restored, restored, &mut count)?;
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let old = dir.with_extension("before-restore");
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(fail)?;
    }
    if let Err(e) = std::fs::rename(restored, dir) {
        let _ = std::fs::rename(&old, dir);
        return Err(fail(e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(count.len())
}

/// What `prune` did.
#[derive(Debug, Default)]
pub struct Pruned {
    pub removed: Vec<PathBuf>,
    pub kept: usize,
}

/// Deletes backups in `dir` older than `keep_days`; the newest backup is always kept. Blocking.
pub fn prune(dir: &Path, keep_days: u32) -> Result<Pruned, BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Pruned::default()),
        Err(e) => return Err(BackupError::Io(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut backups: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(FILE_PREFIX) && name.ends_with(FILE_SUFFIX)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    backups.sort();
    let cutoff = SystemTime::now()
        .checked_sub(Duration::from_secs(u64::from(keep_days) * 86_400))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let newest = backups.pop();
    let mut pruned = Pruned::default();
    for (modified, path) in backups {
        if modified < cutoff {
            std::fs::remove_file(&path)
                .map_err(|e| BackupError::Io(format!("cannot delete {}: {e}", path.display())))?;
            pruned.removed.push(path);
        } else {
            pruned.kept += 1;
        }
    }
    pruned.kept += usize::from(newest.is_some());
    Ok(pruned)
}

/// What the dump of a database gave.
struct Dump {
    entry_name: String,
    file: PathBuf,
    schema_version: Option<String>,
    row_counts: std::collections::BTreeMap<String, i64>,
}
