//! `vendhub backup create|verify|restore|prune` as an operator runs them, on SQLite (default) or
//! PostgreSQL (`TEST_DATABASE_URL`): a backup taken under write load restores table for table and row
//! for row; damaged, newer-schema and running-server cases are refused and leave the target as it was.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

mod create;
mod restore;
mod schedule;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use vendhub_store::test_db::TestDb;
use vendhub_store::{DbUrl, whole_database};

const BIN: &str = env!("CARGO_BIN_EXE_vendhub");

fn db_url(db: &TestDb) -> String {
    match &db.url {
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DbUrl::Postgres(u) => u.clone(),
    }
}

fn vendhub(dir: &Path, db: &TestDb) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn")
        .env("DATABASE_URL", db_url(db));
    cmd
}

fn run(dir: &Path, db: &TestDb, args: &[&str]) -> Output {
    vendhub(dir, db).args(args).output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails with one line on stderr that contains `needle`.
fn refused(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "expected a refusal, got: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "{needle:?} not in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Every table's rows, as text.
fn dump_tables(db: &TestDb) -> Vec<(String, Vec<String>)> {
    let mut conn = vendhub_store::connection::establish(&db.url).unwrap();
    whole_database::tables(&mut conn)
        .unwrap()
        .into_iter()
        .map(|t| {
            let rows = whole_database::table_rows(&mut conn, &t).unwrap();
            (t, rows)
        })
        .collect()
}

fn seeded(dir: &Path) -> TestDb {
    let db = TestDb::new();
    ok(&run(dir, &db, &["seed", "--demo"]));
    db
}

fn create_backup(dir: &Path, db: &TestDb) -> PathBuf {
    let out = ok(&run(dir, db, &["backup", "create", "--out", "backups"]));
    assert!(out.starts_with("Backup written: "), "{out}");
    let name = out
        .trim_start_matches("Backup written: ")
        .split(" (")
        .next()
        .unwrap();
    dir.join(name)
}

fn target_has_data(db: &TestDb) -> bool {
    if let DbUrl::Sqlite(p) = &db.url
        && !p.exists()
    {
        return false;
    }
    let mut conn = vendhub_store::connection::establish(&db.url).unwrap();
    !whole_database::tables(&mut conn).unwrap().is_empty()
}

/// `vendhub serve` on a free port, until dropped.
struct Server(Child);

impl Server {
    fn start(dir: &Path, db: &TestDb) -> Self {
        Self::start_with(dir, db, &[])
    }

    fn start_with(dir: &Path, db: &TestDb, env: &[(&str, &str)]) -> Self {
        let mut cmd = vendhub(dir, db);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let start = Instant::now();
        loop {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "server exited early");
            assert!(start.elapsed() < Duration::from_secs(60));
            if line.starts_with("VendHub is listening") {
                std::thread::spawn(move || for _ in reader.lines() {});
                break;
            }
        }
        // On PostgreSQL the scheduler takes its leader lock within a tick of starting: wait until it
        // holds it (on SQLite the lock file is taken before the server listens).
        let start = Instant::now();
        while !server_holds_the_lock(db) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the server did not take the scheduler's leader lock within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(child)
    }
}

/// Whether some session holds the scheduler's advisory lock on this PostgreSQL database (always true
/// on SQLite, where a running server's lock is its lock file).
fn server_holds_the_lock(db: &TestDb) -> bool {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        held: i64,
    }
    let vendhub_store::DbConn::Postgres(conn) = &mut vendhub_store::connection::establish(&db.url).unwrap()
    else {
        return true;
    };
    diesel::sql_query(
        "SELECT count(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND ((classid::bigint << 32) | objid::bigint) = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(vendhub_store::leader::SCHEDULER_LOCK)
    .get_result::<Held>(conn)
    .unwrap()
    .held
        > 0
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
