//! PostgreSQL: `pg_dump --format=custom` of a snapshot exported by our own read-only transaction (so
//! the row counts in the manifest describe exactly what was dumped), and `pg_restore --clean --if-exists
//! --single-transaction` (all or nothing). The client tools must be of the server's major version or newer.

use std::path::Path;
use std::process::Command;

use vendhub_store::leader::SCHEDULER_LOCK;
use vendhub_store::{DbUrl, whole_database};

use super::{BackupError, Dump};

pub const ENTRY: &str = "database/vendhub.pgdump";

/// The URL without its password, and the password (given to the tool as `PGPASSWORD`, not on the
/// command line where `ps` shows it).
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let password = u.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            let _ = u.set_password(None);
            (u.to_string(), password)
        }
        _ => (url.to_owned(), None),
    }
}

/// The major version of a client tool (`pg_dump (PostgreSQL) 15.4` → 15).
fn tool_major(tool: &str) -> Result<i64, BackupError> {
    let out = Command::new(tool).arg("--version").output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BackupError::Tool(format!(
                "{tool} not found on PATH: install the PostgreSQL client tools (e.g. the postgresql-client package) of your server's major version"
            ))
        } else {
            BackupError::Tool(format!("cannot run {tool}: {e}"))
        }
    })?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(')')
        .nth(1)
        .and_then(|rest| rest.trim().split(['.', ' ']).next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| BackupError::Tool(format!("{tool} --version said {:?}", text.trim())))
}

/// Refuses a client tool older than the server (`pg_dump` cannot dump a newer server).
fn check_versions(tool: &str, conn: &mut vendhub_store::DbConn) -> Result<(), BackupError> {
    let client = tool_major(tool)?;
    let server = whole_database::pg_server_major(conn)?;
    if client < server {
        return Err(BackupError::Tool(format!(
            "{tool} is version {client} but the server runs PostgreSQL {server}: install the client tools of version {server} (postgresql-client-{server}) and put them first on PATH"
        )));
    }
    Ok(())
}

fn run_tool(tool: &str, url: &str, args: &[&str]) -> Result<(), BackupError> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(format!("--dbname={url}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd
        .output()
        .map_err(|e| BackupError::Tool(format!("cannot run {tool}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim();
        Err(BackupError::Tool(format!("{tool} failed: {first}")))
    }
}

pub fn dump(url: &str, work: &Path) -> Result<Dump, BackupError> {
    let db_url = DbUrl::Postgres(url.to_owned());
    let mut conn = vendhub_store::connection::establish(&db_url)?;
    check_versions("pg_dump", &mut conn)?;
    let snapshot_id = whole_database::pg_begin_snapshot(&mut conn)?;
    let schema_version = whole_database::schema_version(&mut conn)?;
    let row_counts = whole_database::row_counts(&mut conn)?;
    let file = work.join("vendhub.pgdump");
    let file_arg = format!("--file={}", file.display());
    let snapshot_arg = format!("--snapshot={snapshot_id}");
    let dumped = run_tool(
        "pg_dump",
        url,
        &[
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            &snapshot_arg,
            &file_arg,
        ],
    );
    let _ = whole_database::pg_end_snapshot(&mut conn);
    dumped?;
    Ok(Dump {
        entry_name: ENTRY.into(),
        file,
        schema_version,
        row_counts,
    })
}

pub fn restore(url: &str, staging: &Path, overwrite: bool) -> Result<(), BackupError> {
    let db_url = DbUrl::Postgres(url.to_owned());
    // Held until the restore ends: a server that starts meanwhile does not become the scheduler leader.
    let mut conn = vendhub_store::connection::establish(&db_url)?;
    if !whole_database::pg_try_lock(&mut conn, SCHEDULER_LOCK)? {
        return Err(BackupError::Refused(format!(
            "a vendhub server is running on {} (it holds the scheduler lock): stop every replica first",
            db_url.redacted()
        )));
    }
    if whole_database::has_data(&mut conn)? && !overwrite {
        return Err(BackupError::Refused(format!(
            "{} holds data: add --yes to replace it with the backup",
            db_url.redacted()
        )));
    }
    check_versions("pg_restore", &mut conn)?;
    let file = staging.join(ENTRY);
    let file_arg = file.display().to_string();
    run_tool(
        "pg_restore",
        url,
        &[
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            &file_arg,
        ],
    )?;
    drop(conn);
    Ok(())
}
