//! Restoring: a newer schema is refused, data needs --yes and a stopped server; the target is left as it was.

use std::io::Read;
use std::path::Path;
use vendhub_store::test_db::TestDb;

use super::{Server, create_backup, dump_tables, ok, refused, run, seeded, target_has_data};

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
