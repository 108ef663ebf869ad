//! Secrets generated on the embedded default: `<data>/secrets` (mode 0600), made once and reused, so
//! tokens survive restarts without the operator configuring anything. Production must set them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use rand::RngCore;

use crate::config::{Config, Secret};

pub const FILE: &str = "secrets";
const GENERATED: &[&str] = &["JWT_SECRET", "JWT_REFRESH_SECRET", "VENDHUB_ENCRYPTION_KEY"];

fn random_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

fn read(path: &Path) -> std::io::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect())
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Fills unset generated secrets (JWT, encryption key) from `<data>/secrets`, creating that file first
/// when needed and adding keys a newer version introduced. Returns the file's path when it was written.
pub fn ensure(config: &mut Config) -> Result<Option<PathBuf>, String> {
    if config.jwt.secret.is_some()
        && config.jwt.refresh_secret.is_some()
        && config.jwt.encryption_key.is_some()
    {
        return Ok(None);
    }
    let path = config.data_dir.join(FILE);
    let mut written = None;
    if !path.exists() {
        let text = GENERATED
            .iter()
            .map(|k| format!("{k}={}", random_secret()))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        match write_private(&path, &text) {
            Ok(()) => written = Some(path.clone()),
            // Another process created it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
        }
    }
    let mut stored = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let missing: Vec<&str> = GENERATED
        .iter()
        .copied()
        .filter(|k| !stored.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        let text = missing
            .iter()
            .map(|k| format!("{k}={}", random_secret()))
            .collect::<Vec<_>>()
            .join(
                "
",
            )
            + "
";
        append(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        stored = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        written = Some(path.clone());
    }
    let get = |k: &str| {
        stored
            .get(k)
            .filter(|v| v.len() >= 32)
            .cloned()
            .map(Secret::new)
            .ok_or_else(|| {
                format!(
                    "{} has no valid {k}; delete the file to generate new secrets",
                    path.display()
                )
            })
    };
    if config.jwt.secret.is_none() {
        config.jwt.secret = Some(get("JWT_SECRET")?);
    }
    if config.jwt.refresh_secret.is_none() {
        config.jwt.refresh_secret = Some(get("JWT_REFRESH_SECRET")?);
    }
    if config.jwt.encryption_key.is_none() {
        config.jwt.encryption_key = Some(get("VENDHUB_ENCRYPTION_KEY")?);
    }
    Ok(written)
}
