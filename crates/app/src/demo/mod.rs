//! `vendhub seed --demo`: a demo fleet in the first organization (2 locations, 20 machines of mixed types,
//! 30 products with IKPU codes and prices, a warehouse, 3 operators and a manager). Idempotent: an
//! organization that has machines already is left alone. Later areas add their demo data here.

mod catalog;
mod fleet;
mod planograms;
mod staff;
mod stock;

use std::fmt;

use vendhub_domain::ids::OrganizationId;
use vendhub_store::{StoreError, TenantScope, machines, organizations};

use crate::auth::password_hash;
use crate::setup::DEFAULT_ORG_SLUG;
use crate::{App, AppError};

/// What the demo seed did, printed by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoSummary {
    Created {
        locations: usize,
        machines: usize,
        products: usize,
        staff: Vec<String>,
        staff_password: String,
    },
    AlreadyThere,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyThere => write!(f, "Demo data exists already; nothing added."),
            Self::Created {
                locations,
                machines,
                products,
                staff,
                staff_password,
            } => write!(
                f,
                "Demo data: {locations} locations, {machines} machines, {products} products, 1 warehouse, staff {} \
                 (password for all demo staff: {staff_password})",
                staff.join(", ")
            ),
        }
    }
}

/// The scope of the organization the demo seeds.
fn demo_scope(org: OrganizationId) -> TenantScope {
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization an operator's `vendhub seed --demo` seeds, found by its slug, in no request"
    )]
    TenantScope::authenticated(org)
}

fn som(n: i64) -> i64 {
    n * 100
}

/// Adds the demo fleet to the first organization unless it has machines already.
pub async fn seed(app: &App) -> Result<DemoSummary, AppError> {
    let Some(org) = app
        .db()
        .run(|c| organizations::find_by_slug(c, DEFAULT_ORG_SLUG))
        .await?
    else {
        return Err(
            crate::error::Rule::NoOrganization.refuse("no organization yet: run `vendhub seed` first")
        );
    };
    let org_id: OrganizationId = org.id.parse().map_err(AppError::internal)?;
    let scope = demo_scope(org_id);
    let counted = scope.clone();
    if app.db().run(move |c| machines::count(c, &counted)).await? > 0 {
        return Ok(DemoSummary::AlreadyThere);
    }
    let staff_password = password_hash::generate();
    let hash = {
        let p = staff_password.clone();
        tokio::task::spawn_blocking(move || password_hash::hash(&p))
            .await
            .map_err(AppError::internal)??
    };
    let emails: Vec<String> = staff::STAFF.iter().map(|s| s.0.to_owned()).collect();
    let scope2 = scope.clone();
    app.db()
        .run(move |conn| {
            vendhub_store::write::<_, StoreError, _>(conn, |conn| insert_demo(conn, &scope, &hash))
        })
        .await?;
    // Field tasks in every state, with photos (files through the files port).
    let photo_keys = app
        .db()
        .run(move |conn| {
            vendhub_store::write::<_, StoreError, _>(conn, |conn| crate::tasks::demo::insert(conn, &scope2))
        })
        .await?;
    for key in photo_keys {
        let photo = bytes::Bytes::from_static(crate::tasks::demo::DEMO_PHOTO);
        app.blobs()
            .put(&key, photo)
            .await
            .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?;
    }
    Ok(DemoSummary::Created {
        locations: 2,
        machines: 20,
        products: catalog::PRODUCTS.len(),
        staff: emails,
        staff_password,
    })
}

/// The organization's demo data, in one transaction: staff, fleet, catalog, then stock.
fn insert_demo(conn: &mut vendhub_store::DbConn, scope: &TenantScope, hash: &str) -> Result<(), StoreError> {
    let now = vendhub_store::now();
    let operators = staff::insert(conn, scope, hash)?;
    fleet::insert(conn, scope, &operators, now)?;
    catalog::insert(conn, scope, now)?;
    stock::insert(conn, scope, now)
}
