//! `vendhub backup create|verify|restore|prune` as an operator runs them, on SQLite (default) or
//! PostgreSQL (`TEST_DATABASE_URL`): a backup taken under write load restores table for table and row
//! for row; damaged, newer-schema and running-server cases are refused and leave the target as it was.
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// A writer thread: each round a job and an audit record in one transaction, until `stop`; `written`
/// counts the committed rounds.
fn spawn_load(source: &TestDb) -> (Arc<AtomicBool>, Arc<AtomicUsize>, std::thread::JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (url, stop, written) = (source.url.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || {
            let mut conn = vendhub_store::connection::establish(&url).unwrap();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let job = vendhub_store::jobs::NewJob::new("test.load", serde_json::json!({ "i": i }));
                let audit = vendhub_store::audit::NewAudit {
                    organization_id: None,
                    actor_user_id: None,
                    action: "test.load".into(),
                    entity_type: "load".into(),
                    entity_id: Some(i.to_string()),
                    before: None,
                    after: Some(serde_json::json!({ "i": i })),
                    ip: None,
                    request_id: None,
                };
                vendhub_store::write(&mut conn, |c| {
                    vendhub_store::jobs::enqueue(c, &job)?;
                    vendhub_store::audit::append(c, &audit)
                })
                .unwrap();
                written.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        })
    };
    (stop, written, writer)
}

#[test]
fn a_backup_taken_under_write_load_restores_into_an_empty_database_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let source = seeded(dir.path());
    // A writer keeps changing two tables while the backup runs: each round adds a job and an audit
    // record in one transaction, so a consistent snapshot holds as many of one as of the other.
    let (stop, written, writer) = spawn_load(&source);
    while written.load(Ordering::Relaxed) < 20 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let at_start = written.load(Ordering::Relaxed);
    let file = create_backup(dir.path(), &source);
    let at_end = written.load(Ordering::Relaxed);
    // Let the writer go on after the backup too, so the source holds rows the backup cannot.
    while written.load(Ordering::Relaxed) < at_end + 5 {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        at_end > at_start,
        "writes went on while the backup ran: {at_start} before, {at_end} after"
    );

    let manifest = vendhub::backup::verify(&file).unwrap();
    let load_in = |db: &TestDb, table: &str| {
        let rows = dump_tables(db).into_iter().find(|t| t.0 == table).unwrap().1;
        rows.iter().filter(|r| r.contains("test.load")).count()
    };
    let jobs_in_backup = manifest.row_counts["jobs"];
    assert!(
        jobs_in_backup >= 20,
        "{jobs_in_backup} jobs in the backup, {at_start} written before it began"
    );
    let target = TestDb::new();
    let out = ok(&run(
        dir.path(),
        &target,
        &["backup", "restore", file.to_str().unwrap()],
    ));
    assert!(out.starts_with("Restored "), "{out}");

    let before = dump_tables(&source);
    let after = dump_tables(&target);
    assert_eq!(
        before.iter().map(|t| &t.0).collect::<Vec<_>>(),
        after.iter().map(|t| &t.0).collect::<Vec<_>>(),
        "the same tables"
    );
    // The snapshot is one point inside the backup: at least what was written before it began, at
    // most what was written by its end, fewer than the source holds now, and the two tables agree.
    let (jobs_restored, audit_restored) = (load_in(&target, "jobs"), load_in(&target, "audit_log"));
    // (`written` counts a round just after its commit, hence the one round of slack at the end.)
    assert!(
        (at_start..=at_end + 1).contains(&jobs_restored),
        "{jobs_restored} load rounds restored, {at_start} written before the backup, {at_end} by its end"
    );
    assert!(
        jobs_restored < load_in(&source, "jobs"),
        "the source went on after the snapshot"
    );
    assert_eq!(
        jobs_restored, audit_restored,
        "a round's job and audit record are both in the snapshot or neither"
    );
    for ((table, rows), (_, restored)) in before.iter().zip(&after) {
        assert_eq!(
            i64::try_from(restored.len()).unwrap(),
            manifest.row_counts[table],
            "{table}: the manifest counts what was restored"
        );
        if table == "jobs" || table == "audit_log" {
            // Written after the snapshot: the restored rows are a consistent subset.
            assert!(restored.iter().all(|r| rows.contains(r)), "{table}");
        } else {
            assert_eq!(rows, restored, "{table} row for row");
        }
    }
    assert!(before.iter().any(|(t, r)| t == "machines" && !r.is_empty()));
    let verified = ok(&run(dir.path(), &target, &["audit", "verify"]));
    assert!(
        verified.starts_with("audit log intact"),
        "the restored chain holds: {verified}"
    );
}

#[test]
fn verify_refuses_a_flipped_byte_and_a_truncated_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let file = create_backup(dir.path(), &db);
    let out = ok(&run(
        dir.path(),
        &db,
        &["backup", "verify", file.to_str().unwrap()],
    ));
    assert!(out.starts_with("Backup OK: "), "{out}");

    let bytes = std::fs::read(&file).unwrap();
    for at in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x01;
        let bad = dir.path().join("flipped.tar.gz");
        std::fs::write(&bad, &flipped).unwrap();
        refused(
            &run(dir.path(), &db, &["backup", "verify", bad.to_str().unwrap()]),
            "backup is corrupt",
        );
    }
    for len in [10, bytes.len() / 2, bytes.len() - 1] {
        let short = dir.path().join("short.tar.gz");
        std::fs::write(&short, &bytes[..len]).unwrap();
        refused(
            &run(dir.path(), &db, &["backup", "verify", short.to_str().unwrap()]),
            "backup is corrupt",
        );
    }
    let target = TestDb::new();
    let short = dir.path().join("short.tar.gz");
    refused(
        &run(
            dir.path(),
            &target,
            &["backup", "restore", short.to_str().unwrap()],
        ),
        "backup is corrupt",
    );
    assert!(!target_has_data(&target));
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

/// The same archive with its manifest changed by `edit` (the entries' checksums stay right).
fn rewrite_manifest(from: &Path, to: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(from).unwrap()));
    let out = flate2::write::GzEncoder::new(std::fs::File::create(to).unwrap(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(out);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == "manifest.json" {
            let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
            edit(&mut m);
            data = serde_json::to_vec(&m).unwrap();
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, &name, data.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn a_backup_of_a_newer_schema_is_refused_and_the_target_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let file = create_backup(dir.path(), &db);
    let newer = dir.path().join("newer.tar.gz");
    rewrite_manifest(&file, &newer, |m| {
        m["schema_version"] = serde_json::json!("99991231000001");
        m["app_version"] = serde_json::json!("9.0.0");
    });
    ok(&run(
        dir.path(),
        &db,
        &["backup", "verify", newer.to_str().unwrap()],
    ));
    let target = TestDb::new();
    refused(
        &run(
            dir.path(),
            &target,
            &["backup", "restore", newer.to_str().unwrap(), "--yes"],
        ),
        "schema version 99991231000001 is not known",
    );
    assert!(!target_has_data(&target), "nothing was written");
}

#[test]
fn restoring_over_data_needs_yes_and_a_stopped_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let file = create_backup(dir.path(), &db);
    let file = file.to_str().unwrap();
    // Change something after the backup, so that a restore is visible.
    ok(&run(dir.path(), &db, &["backup", "create", "--out", "more"]));
    let before = dump_tables(&db);
    let mut conn = vendhub_store::connection::establish(&db.url).unwrap();
    let job = vendhub_store::jobs::NewJob::new("test.after", serde_json::json!({}));
    vendhub_store::write(&mut conn, |c| vendhub_store::jobs::enqueue(c, &job)).unwrap();
    drop(conn);
    let changed = dump_tables(&db);
    assert_ne!(before, changed);

    refused(&run(dir.path(), &db, &["backup", "restore", file]), "--yes");
    assert_eq!(dump_tables(&db), changed, "left unchanged");

    {
        let _server = Server::start(dir.path(), &db);
        refused(
            &run(dir.path(), &db, &["backup", "restore", file, "--yes"]),
            "a vendhub server is running",
        );
    }
    let out = ok(&run(dir.path(), &db, &["backup", "restore", file, "--yes"]));
    assert!(out.starts_with("Restored "), "{out}");
    let restored = dump_tables(&db);
    let jobs = |d: &[(String, Vec<String>)]| d.iter().find(|t| t.0 == "jobs").unwrap().1.len();
    assert_eq!(
        jobs(&restored) + 1,
        jobs(&changed),
        "the job added after the backup is gone"
    );
}

#[test]
fn prune_deletes_old_backups_but_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let backups = dir.path().join("data/backups");
    let first = {
        let out = ok(&run(dir.path(), &db, &["backup", "create"]));
        assert!(out.contains("data/backups/"), "{out}");
        std::fs::read_dir(&backups)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
    };
    let old = std::time::SystemTime::now() - Duration::from_secs(40 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&first)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // No pause needed: a backup's name carries its milliseconds, and the first one's process has
    // written, verified and exited by now, so the second one's name is a later one.
    ok(&run(dir.path(), &db, &["backup", "create"]));
    let out = ok(&run(dir.path(), &db, &["backup", "prune", "--keep-days", "30"]));
    assert!(
        out.contains("Pruned 1 backups older than 30 days; 1 kept."),
        "{out}"
    );
    assert!(!first.exists());
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 1);
    let out = ok(&run(dir.path(), &db, &["backup", "prune", "--keep-days", "0"]));
    assert!(out.contains("Pruned 0 backups"), "the newest stays: {out}");
}

#[test]
fn with_backup_enabled_the_scheduler_writes_the_days_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let backups = dir.path().join("nightly");
    let _server = Server::start_with(
        dir.path(),
        &db,
        &[
            ("BACKUP_ENABLED", "true"),
            ("BACKUP_CRON", "0 3 * * *"),
            ("BACKUP_KEEP_DAYS", "7"),
            ("BACKUP_DIR", backups.to_str().unwrap()),
        ],
    );
    // The day's period has begun and no backup job exists for it yet: the leader enqueues it at once.
    let start = Instant::now();
    let written = loop {
        let found: Vec<PathBuf> = std::fs::read_dir(&backups)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if let Some(f) = found
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "gz"))
        {
            break f;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no scheduled backup written"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let manifest = vendhub::backup::verify(&written).unwrap();
    assert!(manifest.row_counts["machines"] > 0);
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

/// A local S3-compatible server (`moto`; `.ci/run` installs it), with a bucket.
struct Moto(Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn with_backup_s3_upload_the_backup_also_goes_to_the_bucket() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server must be installed (pip install 'moto[server]'); .ci/run installs it");
    let moto = Moto(child, port);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", moto.1)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "moto did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{}/vendhub-backups", moto.1);
    rt.block_on(async {
        let res = reqwest::Client::new().put(&base).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    });

    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path());
    let endpoint = format!("127.0.0.1:{}", moto.1);
    let out = ok(&vendhub(dir.path(), &db)
        .env("STORAGE_ENDPOINT", &endpoint)
        .env("STORAGE_ACCESS_KEY", "test")
        .env("STORAGE_SECRET_KEY", "test")
        .env("STORAGE_BUCKET", "vendhub-backups")
        .env("STORAGE_REGION", "us-east-1")
        .env("BACKUP_S3_UPLOAD", "true")
        .args(["backup", "create", "--out", "b"])
        .output()
        .unwrap());
    let key = out
        .lines()
        .find_map(|l| l.strip_prefix("Uploaded to s3://vendhub-backups/"))
        .unwrap_or_else(|| panic!("no upload line: {out}"))
        .to_owned();
    assert!(
        out.contains("(files live in the bucket)") || out.contains(" 0 files)"),
        "{out}"
    );
    let local = std::fs::read_dir(dir.path().join("b"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let uploaded = rt.block_on(async {
        use vendhub_app::ports::BlobStore;
        let blobs = vendhub_infra::blobs::Blobs::s3(&vendhub_infra::blobs::S3Settings {
            endpoint: endpoint.clone(),
            access_key: "test".into(),
            secret_key: "test".into(),
            bucket: "vendhub-backups".into(),
            region: "us-east-1".into(),
            use_ssl: false,
        })
        .unwrap();
        blobs.get(&key).await.unwrap().unwrap()
    });
    assert_eq!(uploaded.as_ref(), std::fs::read(local).unwrap().as_slice());

    // Without STORAGE_ENDPOINT the setting is refused by name.
    let o = vendhub(dir.path(), &db)
        .env("BACKUP_S3_UPLOAD", "true")
        .args(["backup", "create"])
        .output()
        .unwrap();
    refused(&o, "BACKUP_S3_UPLOAD");
}
