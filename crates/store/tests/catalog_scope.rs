//! The catalog's rows and a stocktake's lines are reached only through their organization's tenant scope
//! (SQLite by default, PostgreSQL with `TEST_DATABASE_URL=postgres://…`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the first surprise"
)]

use vendhub_domain::ids::OrganizationId;
use vendhub_store::products::{self, ProductRow};
use vendhub_store::stocktakes::{self, LineRow, StocktakeRow};
use vendhub_store::test_db::TestDb;
use vendhub_store::{Db, DbConn, DbOptions, StoreError, TenantScope, migrations, organizations};

fn migrated(test: &TestDb) -> Db {
    let db = Db::connect(&DbOptions::new(test.url.clone())).expect("connect");
    migrations::run_pending(&mut db.conn().unwrap()).unwrap();
    db
}

fn organization(conn: &mut DbConn, slug: &str) -> TenantScope {
    let id = OrganizationId::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "the test acts for the organization it just created"
    )]
    let scope = TenantScope::authenticated(id);
    organizations::insert(
        conn,
        &scope,
        &organizations::NewOrganization {
            id,
            name: slug,
            slug,
            timezone: "UTC",
            language: "en",
        },
    )
    .unwrap();
    scope
}

fn product(scope: &TenantScope) -> ProductRow {
    let now = vendhub_store::now();
    ProductRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: scope.org().to_owned(),
        sku: "TEA-1".into(),
        barcode: None,
        name_uz: "Choy".into(),
        name_ru: "Чай".into(),
        name_en: "Tea".into(),
        unit: "pcs".into(),
        price: 500_000,
        cost: 300_000,
        vat_rate: 12,
        ikpu_code: None,
        package_code: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        category_id: None,
        image_key: None,
    }
}

#[test]
fn another_organizations_scope_neither_writes_nor_sees_catalog_rows_or_stocktake_lines() {
    let test = TestDb::new();
    let db = migrated(&test);
    let mut conn = db.conn().unwrap();
    let (a, b) = (organization(&mut conn, "a"), organization(&mut conn, "b"));

    let tea = product(&a);
    assert!(matches!(
        products::insert(&mut conn, &b, &tea),
        Err(StoreError::OutOfScope)
    ));
    products::insert(&mut conn, &a, &tea).unwrap();
    assert!(products::get(&mut conn, &b, &tea.id).unwrap().is_none());
    assert!(matches!(
        products::update(&mut conn, &b, &tea),
        Err(StoreError::OutOfScope)
    ));
    assert!(!products::soft_delete(&mut conn, &b, &tea.id).unwrap());

    let take = StocktakeRow {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: a.org().to_owned(),
        holder: format!("warehouse:{}", uuid::Uuid::now_v7()),
        status: "open".into(),
        started_by: None,
        started_at: vendhub_store::now(),
        closed_at: None,
        task_id: None,
    };
    stocktakes::insert(&mut conn, &a, &take).unwrap();
    let line = |counted| LineRow {
        stocktake_id: take.id.clone(),
        product_id: tea.id.clone(),
        counted,
        counted_by: None,
    };
    assert!(matches!(
        stocktakes::count(&mut conn, &b, &line(3)),
        Err(StoreError::OutOfScope)
    ));
    stocktakes::count(&mut conn, &a, &line(5)).unwrap();
    // A correction through another scope changes nothing: the line is not reached, and no new one is made.
    assert!(matches!(
        stocktakes::count(&mut conn, &b, &line(9)),
        Err(StoreError::OutOfScope)
    ));
    assert!(stocktakes::lines(&mut conn, &b, &take.id).unwrap().is_empty());
    let lines = stocktakes::lines(&mut conn, &a, &take.id).unwrap();
    assert_eq!(lines.iter().map(|l| l.counted).collect::<Vec<_>>(), [5]);
    assert!(stocktakes::get(&mut conn, &b, &take.id).unwrap().is_none());
    assert!(!stocktakes::close(&mut conn, &b, &take.id).unwrap());
    assert!(stocktakes::close(&mut conn, &a, &take.id).unwrap());
}
