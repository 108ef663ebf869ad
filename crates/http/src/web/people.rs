//! People: `/admin/users` (people, roles, invitations, suspend, sessions) and `/admin/profile` (own profile, 2FA setup).

use axum::Router;

use crate::HttpState;

pub fn routes() -> Router<HttpState> {
    Router::new()
}
