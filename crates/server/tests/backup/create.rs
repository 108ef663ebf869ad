//! Taking backups: under write load they restore row for row; damaged files are refused by verify.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use vendhub_store::test_db::TestDb;

use super::{create_backup, dump_tables, ok, refused, run, seeded, target_has_data};

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
