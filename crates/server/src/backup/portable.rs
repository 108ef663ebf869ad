//! `vendhub export` / `vendhub import`: the whole installation in a backend-neutral archive (one JSON
//! object per row, a file per table in foreign-key order, the uploaded files, a manifest with the schema
//! version and checksums), so that an installation moves from SQLite to PostgreSQL and back. An import
//! goes into a database of the same schema version in one transaction: a refusal or a failure leaves
//! the target as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use vendhub_store::{DbUrl, portable, whole_database};

use super::archive::{self, FilesNote, Manifest};
use super::{BackupError, FilesAt, Target};

pub const FORMAT: &str = "vendhub-export";

fn io(e: impl std::fmt::Display) -> BackupError {
    BackupError::Io(e.to_string())
}

/// Writes the export to `out`. Blocking.
pub fn export(target: &Target, out: &Path) -> Result<Manifest, BackupError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let work = tempfile::Builder::new()
        .prefix(".vendhub-export-work")
        .tempdir_in(dir)
        .map_err(io)?;
    let mut conn = vendhub_store::connection::establish(&target.url)?;
    match &target.url {
        DbUrl::Sqlite(_) => conn
            .batch_execute("BEGIN")
            .map_err(|e| BackupError::Database(e.to_string()))?,
        DbUrl::Postgres(_) => {
            whole_database::pg_begin_snapshot(&mut conn)?;
        }
    }
    let schema_version = whole_database::schema_version(&mut conn)?;
    let mut files = Vec::new();
    let mut row_counts = BTreeMap::new();
    for (i, table) in portable::tables_in_order(&mut conn)?.iter().enumerate() {
        let rows = portable::export_rows(&mut conn, table)?;
        let path = work.path().join(format!("{i:03}_{table}.jsonl"));
        let mut text = rows.join("\n");
        text.push('\n');
        std::fs::write(&path, text).map_err(io)?;
        row_counts.insert(table.clone(), i64::try_from(rows.len()).unwrap_or(i64::MAX));
        files.push((format!("tables/{i:03}_{table}.jsonl"), path));
    }
    let _ = conn.batch_execute("COMMIT");
    drop(conn);
    let included = match &target.files {
        FilesAt::Local(root) => {
            super::collect_files(root, root, &mut files)?;
            true
        }
        FilesAt::S3 { .. } => false,
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: archive::FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").into(),
        backend: target.url.backend().as_str().into(),
        schema_version,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files: FilesNote {
            storage: if included { "local" } else { "s3" }.into(),
            included,
            note: (!included)
                .then(|| "uploaded files live in the S3 bucket and are not in this export".into()),
        },
        entries: Vec::new(),
        row_counts,
    };
    let partial = work.path().join("export.partial");
    archive::write(&partial, &files, manifest)?;
    let manifest = archive::read_as(&partial, None, FORMAT)?;
    std::fs::rename(&partial, out)
        .map_err(|e| BackupError::Io(format!("cannot write {}: {e}", out.display())))?;
    Ok(manifest)
}

/// The ids of the organizations in an extracted export.
fn organization_ids(tables: &[(String, PathBuf)]) -> Result<Vec<String>, BackupError> {
    let Some((_, path)) = tables.iter().find(|(t, _)| t == "organizations") else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
        .collect())
}

/// Imports an export into the target (migrated first). Blocking.
pub fn import(target: &Target, file: &Path) -> Result<Manifest, BackupError> {
    let root = super::staging_root(target);
    std::fs::create_dir_all(&root).map_err(io)?;
    let staging = tempfile::Builder::new()
        .prefix(".vendhub-import")
        .tempdir_in(&root)
        .map_err(io)?;
    let manifest = archive::read_as(file, Some(staging.path()), FORMAT)?;
    let mut conn = vendhub_store::connection::establish(&target.url)?;
    vendhub_store::migrations::run_pending(&mut conn)?;
    let schema = whole_database::schema_version(&mut conn)?;
    if schema != manifest.schema_version {
        return Err(BackupError::Refused(format!(
            "the export has schema version {} and this database {}: import with the vendhub release that made the export ({})",
            manifest.schema_version.as_deref().unwrap_or("none"),
            schema.as_deref().unwrap_or("none"),
            manifest.app_version
        )));
    }
    let mut tables: Vec<(String, PathBuf)> = manifest
        .entries
        .iter()
        .filter_map(|e| {
            let name = e.path.strip_prefix("tables/")?.strip_suffix(".jsonl")?;
            let table = name.split_once('_').map_or(name, |(_, t)| t);
            Some((table.to_owned(), staging.path().join(&e.path), e.path.clone()))
        })
        .map(|(t, p, sort)| (sort, t, p))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(_, t, p)| (t, p))
        .collect();
    tables.dedup();
    let existing = whole_database::row_counts(&mut conn)?;
    for id in organization_ids(&tables)? {
        if existing.get("organizations").copied().unwrap_or(0) > 0
            && portable::exists(&mut conn, "organizations", &id)?
        {
            return Err(BackupError::Refused(format!(
                "organization {id} is already in the target database: import into an empty database"
            )));
        }
    }
    vendhub_store::write(&mut conn, |c| {
        for (table, path) in &tables {
            let text = std::fs::read_to_string(path).map_err(io)?;
            let rows: Vec<String> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect();
            portable::import_rows(c, table, &rows)
                .map_err(|e| BackupError::Database(format!("{table}: {e}")))?;
        }
        Ok::<_, BackupError>(())
    })?;
    if let (FilesAt::Local(dir), true) = (&target.files, manifest.files.included) {
        super::swap_files(&staging.path().join("files"), dir)?;
    }
    Ok(manifest)
}
