//! The caller's own sign-in sessions: list them, end one.

use serde::Serialize;
use vendhub_store::sessions;

use super::{Principal, RequestMeta};
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The session this request was made with.
    pub current: bool,
}

#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn list(app: &App, who: &Principal) -> Result<Vec<SessionView>, AppError> {
    let (user, sid) = (who.user_id().to_string(), who.session_id().to_owned());
    let current_family = {
        let sid = sid.clone();
        app.db()
            .run(move |c| sessions::get(c, &sid))
            .await?
            .map(|s| s.family_id)
    };
    let rows = app.db().run(move |c| sessions::live_of_user(c, &user)).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionView {
            current: Some(&s.family_id) == current_family.as_ref(),
            id: s.id,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: s.created_at.and_utc(),
            last_used_at: s.last_used_at.and_utc(),
            expires_at: s.expires_at.and_utc(),
        })
        .collect())
}

/// Ends one of the caller's sessions (another user's session id is "not found").
#[tracing::instrument(skip_all, fields(org.id = %who.organization_id(), user.id = %who.user_id()))]
pub async fn revoke(app: &App, who: &Principal, id: &str, meta: &RequestMeta) -> Result<(), AppError> {
    let (user, id, meta, org) = (
        who.user_id().to_string(),
        id.to_owned(),
        meta.clone(),
        who.organization_id().to_string(),
    );
    app.write(move |c| {
        let Some(s) = sessions::get(c, &id)?.filter(|s| s.user_id == user) else {
            return Err(AppError::NotFound);
        };
        sessions::revoke_family(c, &s.family_id, "revoked by the user")?;
        vendhub_store::audit::append(
            c,
            &crate::audit_record::Record::new("auth.session_revoked", "session", &s.id)
                .in_organization(&org)
                .actor(&user)
                .from(&meta)
                .done(),
        )?;
        Ok(())
    })
    .await
}
