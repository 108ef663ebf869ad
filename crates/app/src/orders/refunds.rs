//! Refunds an accountant starts or records from the admin panel or the API (DOMAIN.md "Payments"): a paid,
//! failed or dispensed order can be refunded with a reason; where the provider offers no call for it, the
//! accountant records the refund once it is done in the provider's cabinet. Every step is audited.

use vendhub_domain::roles::Permission;
use vendhub_store::orders as store;

use super::{OrderView, lifecycle, view};
use crate::auth::Principal;
use crate::error::FieldError;
use crate::{App, AppError};

fn reason_of(text: &str, field: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 500 {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            "say why, in at most 500 characters",
        )]));
    }
    Ok(t.to_owned())
}

/// Starts the refund of a paid, failed or dispensed order (reason required); the refund job then asks the
/// provider. Another status is 409.
pub async fn request(app: &App, who: &Principal, id: &str, reason: &str) -> Result<OrderView, AppError> {
    who.require(Permission::FinanceManage)?;
    let reason = reason_of(reason, "reason")?;
    let (scope, user, id, now) = (
        who.scope().clone(),
        who.user_id().to_string(),
        id.to_owned(),
        app.now(),
    );
    let (order, events) = app
        .write(move |c| {
            let mut o = store::lock(c, &scope, &id)?.ok_or(AppError::NotFound)?;
            if !matches!(o.status.as_str(), "paid" | "failed" | "dispensed") {
                return Err(AppError::Conflict(format!(
                    "an order that is {} cannot be refunded",
                    o.status
                )));
            }
            let events = lifecycle::start_refund(c, &scope, &mut o, &reason, Some(&user), now)?;
            Ok((o, events))
        })
        .await?;
    super::publish_all(app, &events).await;
    Ok(view(&order))
}

/// Records that the money went back (done in the provider's cabinet): `refund_pending -> refunded`.
pub async fn record(app: &App, who: &Principal, id: &str, note: &str) -> Result<OrderView, AppError> {
    who.require(Permission::FinanceManage)?;
    let note = reason_of(note, "note")?;
    let (scope, user, id, now) = (
        who.scope().clone(),
        who.user_id().to_string(),
        id.to_owned(),
        app.now(),
    );
    let (order, events) = app
        .write(move |c| {
            let mut o = store::lock(c, &scope, &id)?.ok_or(AppError::NotFound)?;
            if o.status != "refund_pending" {
                return Err(AppError::Conflict(format!(
                    "only an order waiting for its refund can be recorded as refunded; this one is {}",
                    o.status
                )));
            }
            let events = lifecycle::refunded(c, &scope, &mut o, &note, Some(&user), now)?;
            Ok((o, events))
        })
        .await?;
    super::publish_all(app, &events).await;
    Ok(view(&order))
}
