//! Work that `Db::run` moves to the blocking pool stays inside the caller's span, so the SQL it logs
//! carries the request's route, request id, organization and user.

use tracing::Instrument;
use vendhub_store::test_db::TestDb;
use vendhub_store::{Db, DbOptions};

#[tokio::test]
async fn the_callers_span_follows_the_work_onto_the_blocking_pool() {
    // A real subscriber for the whole process (the pool's threads are not this one), so spans exist.
    tracing::subscriber::set_global_default(tracing_subscriber::registry()).unwrap();
    let test = TestDb::new();
    let db = Db::connect(&DbOptions::new(test.url.clone())).unwrap();
    let span = tracing::info_span!("http.request", request_id = "r-1");
    let seen = db
        .run(|_| Ok(tracing::Span::current().metadata().map(|m| m.name().to_owned())))
        .instrument(span)
        .await
        .unwrap();
    assert_eq!(seen.as_deref(), Some("http.request"));
    // And outside any span, none is made up.
    let none = db
        .run(|_| Ok(tracing::Span::current().metadata().map(|m| m.name().to_owned())))
        .await
        .unwrap();
    assert_eq!(none, None);
}
