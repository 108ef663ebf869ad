//! People: `/admin/users` (members, roles, invitations, suspension) and `/admin/profile` (the signed-in
//! person's own account: password, 2FA with a QR code, sessions).

mod profile;
mod users;

use axum::Router;
use vendhub_app::AppError;
use vendhub_domain::ids::UserId;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new().merge(users::routes()).merge(profile::routes())
}

/// A user id from a path: one that is no id is no record (404), like one of another organization.
fn user_id(raw: &str) -> Result<UserId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}
