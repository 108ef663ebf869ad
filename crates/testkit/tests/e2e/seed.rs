//! First start creates one organization and its owner (hashed password); the demo seed is idempotent.

use vendhub_app::demo::DemoSummary;
use vendhub_store::{machines, organizations, products, users, warehouses};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn first_start_creates_one_owner_and_a_second_start_creates_nothing() {
    let app = TestApp::spawn().await;
    let db = app.app.db().clone();
    let owner = db
        .run(|c| users::find_by_email(c, OWNER_EMAIL))
        .await
        .unwrap()
        .expect("owner exists");
    assert!(owner.password_hash.starts_with("$argon2id$"));
    assert!(!owner.password_hash.contains(OWNER_PASSWORD));
    assert!(vendhub_app::auth::password_hash::verify(
        OWNER_PASSWORD,
        &owner.password_hash
    ));
    let id = owner.id.parse().unwrap();
    let roles = db.run(move |c| users::memberships_of(c, id)).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, "owner");

    let again = TestApp::builder().same_database_as(&app).spawn().await;
    assert_eq!(again.app.db().run(organizations::count).await.unwrap(), 1);
}

#[tokio::test]
async fn the_demo_seed_adds_a_fleet_once() {
    let app = TestApp::spawn().await;
    let summary = vendhub_app::demo::seed(&app.app).await.unwrap();
    let DemoSummary::Created {
        locations,
        machines: m,
        products: p,
        staff,
        ..
    } = summary
    else {
        panic!("expected demo data to be created");
    };
    assert_eq!((locations, m, p, staff.len()), (2, 20, 30, 4));

    let db = app.app.db().clone();
    let org = db
        .run(|c| organizations::find_by_slug(c, "default"))
        .await
        .unwrap()
        .unwrap();
    let org_id: vendhub_domain_ids::OrganizationId = org.id.parse().unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "the test reads back the default organization the demo seed filled"
    )]
    let scope = vendhub_store::TenantScope::authenticated(org_id);
    let s = scope.clone();
    assert_eq!(db.run(move |c| machines::count(c, &s)).await.unwrap(), 20);
    let s = scope.clone();
    let types = db.run(move |c| machines::count_by_type(c, &s)).await.unwrap();
    assert_eq!(types.len(), 7, "every machine type: {types:?}");
    let s = scope.clone();
    let catalog = db.run(move |c| products::list(c, &s)).await.unwrap();
    assert_eq!(catalog.len(), 30);
    assert!(
        catalog
            .iter()
            .all(|p| p.ikpu_code.as_ref().is_some_and(|c| c.len() == 17) && p.price > 0)
    );
    let s = scope.clone();
    assert_eq!(db.run(move |c| warehouses::count(c, &s)).await.unwrap(), 1);
    let s = scope.clone();
    let operators = db
        .run(move |c| users::count_with_role(c, &s, vendhub_domain_ids::Role::Operator))
        .await;
    assert_eq!(operators.unwrap(), 3);

    assert_eq!(
        vendhub_app::demo::seed(&app.app).await.unwrap(),
        DemoSummary::AlreadyThere
    );
    assert_eq!(db.run(move |c| machines::count(c, &scope)).await.unwrap(), 20);
}

/// Short names for the domain types these tests use.
mod vendhub_domain_ids {
    pub use vendhub_domain::ids::OrganizationId;
    pub use vendhub_domain::roles::Role;
}
