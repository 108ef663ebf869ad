//! The ledger's movements, newest first, filtered.

use chrono::{DateTime, Utc};
use vendhub_store::stock;

use super::{MovementView, movement_view};
use crate::auth::Principal;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// Which movements to list. The text values are matched as given: one that names no product, holder,
/// kind or reference matches nothing (an empty page, not an error).
#[derive(Debug, Clone, Default)]
pub struct MovementQuery {
    pub product_id: Option<String>,
    /// Movements in or out of this holder (its stored text form, `warehouse:<id>`…).
    pub holder: Option<String>,
    pub kind: Option<String>,
    /// Movements posted for one reference (a stocktake, a task…).
    pub reference_id: Option<String>,
    /// From (inclusive) and to (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl MovementQuery {
    fn into_filter(self) -> stock::MovementFilter {
        stock::MovementFilter {
            product_id: self.product_id,
            holder: self.holder,
            kind: self.kind,
            reference_id: self.reference_id,
            from: self.from.map(|t| t.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
        }
    }
}

/// The ledger, newest first.
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn movements(
    app: &App,
    who: &Principal,
    query: MovementQuery,
    page: PageRequest,
) -> Result<Paged<MovementView>, AppError> {
    let (scope, filter) = (who.scope().clone(), query.into_filter());
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
