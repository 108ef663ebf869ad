//! SQLite: a consistent copy with `VACUUM INTO` while the server writes, and a restore that checks the
//! restored file, then swaps it in with one rename (the old database stays until then).

use std::path::{Path, PathBuf};

use vendhub_store::{DbUrl, whole_database};

use super::{BackupError, Dump, lock};

pub const ENTRY: &str = "database/vendhub.db";

pub fn parent_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub fn dump(db: &Path, work: &Path) -> Result<Dump, BackupError> {
    if !db.exists() {
        return Err(BackupError::Database(format!(
            "{} does not exist: nothing to back up",
            db.display()
        )));
    }
    let copy = work.join("vendhub.db");
    let mut conn = vendhub_store::connection::establish(&DbUrl::Sqlite(db.to_path_buf()))?;
    whole_database::sqlite_copy_to(&mut conn, &copy)?;
    drop(conn);
    let mut copy_conn = vendhub_store::connection::establish(&DbUrl::Sqlite(copy.clone()))?;
    let schema_version = whole_database::schema_version(&mut copy_conn)?;
    let row_counts = whole_database::row_counts(&mut copy_conn)?;
    drop(copy_conn);
    Ok(Dump {
        entry_name: ENTRY.into(),
        file: copy,
        schema_version,
        row_counts,
    })
}

pub fn restore(db: &Path, staging: &Path, overwrite: bool) -> Result<(), BackupError> {
    let _server = lock::ServerLock::acquire(db)?.ok_or_else(|| {
        BackupError::Refused(format!(
            "a vendhub server is running on {} (it holds {}): stop it first",
            db.display(),
            lock::path_for(db).display()
        ))
    })?;
    let restored = staging.join(ENTRY);
    {
        let mut conn = vendhub_store::connection::establish(&DbUrl::Sqlite(restored.clone()))?;
        if !whole_database::sqlite_integrity_ok(&mut conn)? {
            return Err(BackupError::Corrupt(
                "the database in the backup fails SQLite's integrity check".into(),
            ));
        }
    }
    if db.exists() {
        let mut conn = vendhub_store::connection::establish(&DbUrl::Sqlite(db.to_path_buf()))?;
        if whole_database::has_data(&mut conn)? && !overwrite {
            return Err(BackupError::Refused(format!(
                "{} holds data: add --yes to replace it with the backup",
                db.display()
            )));
        }
        // Empty the write-ahead log into the old file, so that no stale log is applied to the new one.
        whole_database::sqlite_checkpoint(&mut conn)?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BackupError::Io(format!("cannot remove {}: {e}", side.display()))),
        }
    }
    std::fs::rename(&restored, db)
        .map_err(|e| BackupError::Io(format!("cannot replace {}: {e}", db.display())))?;
    Ok(())
}
