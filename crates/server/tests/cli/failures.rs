//! Start-up failures in one line: an unreachable database, a port in use, a data folder that cannot be written.

use std::time::{Duration, Instant};

use super::{assert_one_line_failure, run, stderr};

#[test]
fn an_unreachable_database_is_retried_then_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let o = run(
        dir.path(),
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/vendhub"),
            ("DB_CONNECT_TIMEOUT", "2s"),
        ],
        &["serve"],
    );
    assert_one_line_failure(
        &o,
        "DATABASE_URL: postgres://postgres@127.0.0.1:1/vendhub did not answer within 2s",
    );
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "it retried before giving up"
    );
}

#[test]
fn a_port_already_in_use_is_one_line_naming_port() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = run(dir.path(), &[("PORT", &port), ("HOST", "127.0.0.1")], &["serve"]);
    assert_one_line_failure(&o, "PORT: cannot listen on 127.0.0.1:");
    assert!(stderr(&o).contains("already in use"));
}

#[test]
fn a_data_folder_that_cannot_be_written_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: refused even for root, unlike a permission bit.
    std::fs::write(dir.path().join("blocker"), b"x").unwrap();
    let o = run(dir.path(), &[("VENDHUB_DATA_DIR", "blocker/data")], &["serve"]);
    assert_one_line_failure(&o, "data folder blocker/data");
}
