//! Reading the audit log (admins) and checking its chain.

use serde::Serialize;
use vendhub_store::audit::{self, AuditRow};

use crate::auth::Principal;
use crate::paging::{PageRequest, Paged};
use crate::{App, AppError};

/// One audit record as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub hash: String,
}

fn entry(r: AuditRow) -> AuditEntry {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    AuditEntry {
        seq: r.seq,
        id: r.id,
        actor_user_id: r.actor_user_id,
        action: r.action,
        entity_type: r.entity_type,
        entity_id: r.entity_id,
        before: json(r.before_state),
        after: json(r.after_state),
        ip: r.ip,
        request_id: r.request_id,
        at: r.at.and_utc(),
        hash: r.hash,
    }
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(
    app: &App,
    who: &Principal,
    action: Option<String>,
    entity_type: Option<String>,
    page: PageRequest,
) -> Result<Paged<AuditEntry>, AppError> {
    let scope = who.scope().clone();
    let (rows, total) = app
        .db()
        .run(move |c| {
            audit::list(
                c,
                &scope,
                action.as_deref(),
                entity_type.as_deref(),
                page.offset(),
                page.limit(),
            )
        })
        .await?;
    Ok(Paged::new(rows.into_iter().map(entry).collect(), page, total))
}

/// `Ok(n)`: all `n` records link up; `Err((seq, why))`: the first broken one.
pub async fn verify(app: &App) -> Result<Result<i64, (i64, String)>, AppError> {
    Ok(app.db().run(audit::verify).await?)
}
