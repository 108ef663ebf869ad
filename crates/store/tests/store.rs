//! Store tests over a real database: SQLite by default, PostgreSQL with `TEST_DATABASE_URL=postgres://…`.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the first surprise"
)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::Connection;
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::jobs::{JobState, RetryPolicy};
use vendhub_domain::roles::Role;
use vendhub_store::jobs::{self, NewJob};
use vendhub_store::test_db::TestDb;
use vendhub_store::{Db, DbOptions, StoreError, migrations, organizations, schema_introspection, users};

fn open(test: &TestDb) -> Db {
    let mut opts = DbOptions::new(test.url.clone());
    opts.pool_size = 4;
    Db::connect(&opts).expect("connect")
}

fn migrated(test: &TestDb) -> Db {
    let db = open(test);
    migrations::run_pending(&mut db.conn().unwrap()).unwrap();
    db
}

#[test]
fn migrations_go_up_down_and_up_again_to_the_same_schema() {
    let test = TestDb::new();
    let db = open(&test);
    let mut conn = db.conn().unwrap();
    let empty = schema_introspection::describe(&mut conn).unwrap();

    let applied = migrations::run_pending(&mut conn).unwrap();
    assert!(applied.len() >= 2, "every migration applies: {applied:?}");
    let first = schema_introspection::describe(&mut conn).unwrap();
    assert!(first.iter().any(|l| l.contains("jobs")), "{first:#?}");
    assert!(migrations::status(&mut conn).unwrap().iter().all(|m| m.applied));

    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(
        schema_introspection::describe(&mut conn).unwrap(),
        empty,
        "down.sql leaves nothing behind"
    );
    assert!(migrations::status(&mut conn).unwrap().iter().all(|m| !m.applied));

    migrations::run_pending(&mut conn).unwrap();
    assert_eq!(
        schema_introspection::describe(&mut conn).unwrap(),
        first,
        "up after down gives the same schema"
    );
}

#[test]
fn each_migration_reverts_one_step_at_a_time() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let all = migrations::status(&mut conn).unwrap();
    let newest = all.last().unwrap().version.clone();
    assert_eq!(migrations::revert_last(&mut conn).unwrap(), Some(newest.clone()));
    let after = migrations::status(&mut conn).unwrap();
    assert_eq!(after.iter().filter(|m| m.applied).count(), all.len() - 1);
    assert!(!after.iter().find(|m| m.version == newest).unwrap().applied);
    while migrations::revert_last(&mut conn).unwrap().is_some() {}
    assert_eq!(
        migrations::revert_last(&mut conn).unwrap(),
        None,
        "nothing left to revert is not an error"
    );
}

#[test]
fn a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let result: Result<(), StoreError> = conn.transaction(|c| {
        let org = OrganizationId::new();
        #[expect(
            clippy::disallowed_methods,
            reason = "the test acts as the organization it creates"
        )]
        let scope = vendhub_store::TenantScope::authenticated(org);
        organizations::insert(
            c,
            &scope,
            &organizations::NewOrganization {
                id: org,
                name: "A",
                slug: "a",
                timezone: "UTC",
                language: "en",
            },
        )?;
        jobs::enqueue(c, &NewJob::new("test.rollback", serde_json::json!({})))?;
        Err(StoreError::Conflict("abort".into()))
    });
    assert!(result.is_err());
    assert!(jobs::by_kind(&mut conn, "test.rollback").unwrap().is_empty());
    assert_eq!(organizations::count(&mut conn).unwrap(), 0);

    conn.transaction(|c| jobs::enqueue(c, &NewJob::new("test.rollback", serde_json::json!({}))).map(|_| ()))
        .unwrap();
    assert_eq!(jobs::by_kind(&mut conn, "test.rollback").unwrap().len(), 1);
}

#[test]
fn a_dedupe_key_enqueues_once() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let job = NewJob::new("test.dedupe", serde_json::json!({"n": 1})).dedupe_key("tick:1");
    assert!(jobs::enqueue(&mut conn, &job).unwrap().is_some());
    assert!(jobs::enqueue(&mut conn, &job).unwrap().is_none());
    assert_eq!(jobs::by_kind(&mut conn, "test.dedupe").unwrap().len(), 1);
}

#[test]
fn a_claimed_job_is_not_claimed_again_until_its_lease_expires() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let id = jobs::enqueue(&mut conn, &NewJob::new("test.lease", serde_json::json!({})))
        .unwrap()
        .unwrap();

    let first = jobs::claim(&mut conn, "w1", 10, Duration::from_millis(300)).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(
        jobs::claim(&mut conn, "w2", 10, Duration::from_secs(60))
            .unwrap()
            .is_empty()
    );

    // The worker "crashes": after the lease, another worker takes the job, and the first can't finish it.
    // Wait for the 300 ms lease to run out: ask again until the job can be claimed, for at most 10 s.
    let start = std::time::Instant::now();
    let second = loop {
        let claimed = jobs::claim(&mut conn, "w2", 10, Duration::from_secs(60)).unwrap();
        if !claimed.is_empty() {
            break claimed;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the job was not claimable again within 10 s of its 300 ms lease"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts, 2);
    assert!(
        !jobs::complete(&mut conn, &id.to_string(), "w1").unwrap(),
        "a stale holder cannot complete"
    );
    assert!(jobs::complete(&mut conn, &id.to_string(), "w2").unwrap());
    assert_eq!(jobs::get(&mut conn, id).unwrap().unwrap().state, "done");
}

#[test]
fn failures_back_off_then_park_the_job_as_dead() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let id = jobs::enqueue(
        &mut conn,
        &NewJob::new("test.fail", serde_json::json!({})).max_attempts(2),
    )
    .unwrap()
    .unwrap();
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(3600),
        ..RetryPolicy::default()
    };

    let job = jobs::claim(&mut conn, "w", 1, Duration::from_secs(60))
        .unwrap()
        .remove(0);
    assert_eq!(
        jobs::fail(&mut conn, &job, "w", "boom", &policy).unwrap(),
        JobState::Queued
    );
    let row = jobs::get(&mut conn, id).unwrap().unwrap();
    assert!(
        row.run_at > vendhub_store::now() + chrono::Duration::minutes(59),
        "retried after the backoff"
    );
    assert_eq!(row.last_error.as_deref(), Some("boom"));
    assert!(
        jobs::claim(&mut conn, "w", 1, Duration::from_secs(60))
            .unwrap()
            .is_empty(),
        "not due yet"
    );

    // Make it due again and fail the last attempt.
    jobs::release(&mut conn, &id.to_string(), "w").unwrap();
    diesel::RunQueryDsl::execute(
        diesel::update(vendhub_store::schema::jobs::table)
            .set(vendhub_store::schema::jobs::run_at.eq(vendhub_store::now())),
        &mut conn,
    )
    .unwrap();
    let job = jobs::claim(&mut conn, "w", 1, Duration::from_secs(60))
        .unwrap()
        .remove(0);
    assert_eq!(job.attempts, 2);
    assert_eq!(
        jobs::fail(&mut conn, &job, "w", "boom again", &policy).unwrap(),
        JobState::Dead
    );
    let counts = jobs::counts(&mut conn).unwrap();
    assert_eq!((counts.dead, counts.queued), (1, 0));
}

use diesel::ExpressionMethods;

#[test]
fn released_jobs_go_back_without_counting_an_attempt() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let id = jobs::enqueue(&mut conn, &NewJob::new("test.release", serde_json::json!({})))
        .unwrap()
        .unwrap();
    jobs::claim(&mut conn, "w", 1, Duration::from_secs(60)).unwrap();
    assert!(jobs::release(&mut conn, &id.to_string(), "w").unwrap());
    let row = jobs::get(&mut conn, id).unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("queued", 0));
}

#[test]
fn parallel_workers_never_claim_the_same_job() {
    let test = TestDb::new();
    let db = migrated(&test);
    {
        let mut conn = db.conn().unwrap();
        for i in 0..200 {
            jobs::enqueue(
                &mut conn,
                &NewJob::new("test.parallel", serde_json::json!({ "i": i })),
            )
            .unwrap();
        }
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let db = db.clone();
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut conn = db.conn().unwrap();
                loop {
                    let got = jobs::claim(&mut conn, &format!("w{w}"), 7, Duration::from_secs(60)).unwrap();
                    if got.is_empty() {
                        break;
                    }
                    for job in got {
                        assert!(jobs::complete(&mut conn, &job.id, &format!("w{w}")).unwrap());
                        seen.lock().unwrap().push(job.id);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 200, "every job ran");
    assert_eq!(unique.len(), 200, "no job ran twice");
}

#[test]
fn a_taken_email_is_a_conflict_naming_the_key() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let org = OrganizationId::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "the test acts as the organization it creates"
    )]
    let scope = vendhub_store::TenantScope::authenticated(org);
    organizations::insert(
        &mut conn,
        &scope,
        &organizations::NewOrganization {
            id: org,
            name: "A",
            slug: "a",
            timezone: "UTC",
            language: "en",
        },
    )
    .unwrap();
    let member = |email: &'static str| users::NewMember {
        id: UserId::new(),
        organization_id: org,
        email,
        full_name: "X",
        password_hash: "h",
        role: Role::Owner,
    };
    users::insert_member(&mut conn, &scope, &member("a@x.uz")).unwrap();
    let err = users::insert_member(&mut conn, &scope, &member("A@X.uz")).unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(c) if c.contains("email")),
        "{err}"
    );
    assert_eq!(
        users::count_with_role(&mut conn, &scope, Role::Owner).unwrap(),
        1,
        "nothing half-written"
    );
}

#[test]
fn the_scheduler_lock_has_one_holder_at_a_time() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut a = vendhub_store::leader::Leadership::new(&db, 42);
    let mut b = vendhub_store::leader::Leadership::new(&db, 42);
    assert!(a.try_acquire(&db).unwrap());
    match db.backend() {
        vendhub_store::Backend::Postgres => {
            assert!(!b.try_acquire(&db).unwrap(), "a second replica is not leader");
            assert!(a.try_acquire(&db).unwrap(), "the leader keeps it");
            drop(a);
            assert!(
                b.try_acquire(&db).unwrap(),
                "leadership passes on when the leader goes"
            );
        }
        vendhub_store::Backend::Sqlite => assert!(b.try_acquire(&db).unwrap(), "one process: always leader"),
    }
}

#[test]
fn parallel_audit_appends_keep_one_unbroken_chain() {
    use vendhub_store::audit::{self, NewAudit};
    let test = TestDb::new();
    let db = migrated(&test);
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut conn = db.conn().unwrap();
                for i in 0..25 {
                    conn.transaction::<_, StoreError, _>(|c| {
                        audit::append(
                            c,
                            &NewAudit {
                                action: format!("test.{w}.{i}"),
                                entity_type: "test".into(),
                                ..NewAudit::default()
                            },
                        )
                        .map(|_| ())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut conn = db.conn().unwrap();
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(100));
}
