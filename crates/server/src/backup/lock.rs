//! "A server is running on this database": `vendhub serve` on SQLite holds an exclusive lock on
//! `<database>.serve-lock` for its whole life; a restore takes the same lock and holds it while it
//! swaps the file in, so neither can start while the other runs. (On PostgreSQL the scheduler
//! leader's advisory lock plays this part.)

use std::fs::File;
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use super::BackupError;

/// The lock file next to a SQLite database.
pub fn path_for(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.serve-lock", db.display()))
}

/// A held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
}

impl ServerLock {
    /// Takes the lock, or `None` when another process holds it.
    pub fn acquire(db: &Path) -> Result<Option<Self>, BackupError> {
        let path = path_for(db);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", parent.display())))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", path.display())))?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(Some(Self { _file: file })),
            Ok(false) => Ok(None),
            Err(e) => Err(BackupError::Io(format!("cannot lock {}: {e}", path.display()))),
        }
    }
}
