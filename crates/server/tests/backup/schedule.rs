//! Keeping backups: pruning old ones, the scheduler's daily backup, the upload to S3.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Server, ok, refused, run, seeded, vendhub};

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
