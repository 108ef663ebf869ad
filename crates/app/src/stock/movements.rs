//! The ledger's movements, newest first, filtered.

use vendhub_store::stock;
pub use vendhub_store::stock::MovementFilter;

use super::{MovementView, movement_view};
use crate::auth::Principal;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// The ledger, newest first.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn movements(
    app: &App,
    who: &Principal,
    filter: MovementFilter,
    page: PageRequest,
) -> Result<Paged<MovementView>, AppError> {
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| stock::movements(c, &scope, &filter, page.offset(), page.limit()))
        .await?;
    Ok(Paged::new(
        rows.into_iter().map(movement_view).collect(),
        page,
        total,
    ))
}
