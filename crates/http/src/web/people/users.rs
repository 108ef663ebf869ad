//! `/admin/users`: the organization's members with role and status, invitations (the one-time code shown
//! once), a member's role, suspension and reactivation. The use cases enforce who may touch whom (an admin
//! never makes or touches an owner); their refusals are the pages shown.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use vendhub_app::invites::{self, InviteView};
use vendhub_app::paging::{PageMeta, PageRequest};
use vendhub_app::users::{self, Member, MemberPatch};
use vendhub_domain::roles::{Permission, Role};

use super::user_id;
use crate::HttpState;
use crate::extract::Meta;
use crate::web::i18n::Tr;
use crate::web::session::see_other;
use crate::web::{Form, PageCtx, Panel, WebError, page};

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/invites", post(invite))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/users/{id}/suspend", post(suspend))
        .route("/admin/users/{id}/activate", post(activate))
}

/// A member as the list shows them.
struct MemberRow {
    id: String,
    full_name: String,
    email: String,
    role: String,
    role_label: &'static str,
    status: String,
    status_label: &'static str,
    two_factor: bool,
    /// Whether the caller may change this member (not themselves; an owner only by an owner).
    editable: bool,
}

/// An invitation as the list shows it.
struct InviteRow {
    email: String,
    role_label: &'static str,
    expires: String,
    used: bool,
}

#[derive(Template)]
#[template(path = "admin/people/users.html")]
struct UsersPage {
    page: PageCtx,
    members: Vec<MemberRow>,
    meta: PageMeta,
    invites: Vec<InviteRow>,
    /// The invitation just made, with its one-time code (shown this once).
    created: Option<InviteView>,
    /// The roles the caller may give, with their labels.
    roles: Vec<(&'static str, &'static str)>,
}

impl UsersPage {
    fn has_previous(&self) -> bool {
        self.meta.page > 1
    }

    fn has_next(&self) -> bool {
        i64::from(self.meta.page) < self.meta.total_pages
    }

    fn page_of(&self) -> String {
        self.page.t.fill(
            "common.page_of",
            &[
                ("page", &self.meta.page),
                ("pages", &self.meta.total_pages.max(1)),
            ],
        )
    }
}

fn status_key(status: &str) -> String {
    format!("people.status.{status}")
}

fn member_row(t: Tr, m: Member, me: &str, caller: Role) -> MemberRow {
    let editable = m.id != me && (m.role != Role::Owner.as_str() || caller == Role::Owner);
    MemberRow {
        role_label: t.t(&format!("roles.{}", m.role)),
        status_label: t.t(&status_key(&m.status)),
        id: m.id,
        full_name: m.full_name,
        email: m.email,
        role: m.role,
        status: m.status,
        two_factor: m.two_factor_enabled,
        editable,
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

/// A `?page=` that is no number is the page-number error of the list itself.
fn page_number(raw: Option<&str>) -> Option<i64> {
    raw.filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(0))
}

async fn render(
    state: &HttpState,
    panel: Panel,
    page_no: Option<i64>,
    created: Option<InviteView>,
) -> Result<Response, WebError> {
    panel.require(Permission::UsersManage)?;
    let paging = PageRequest::parse(page_no, None)?;
    let (members, invites) = tokio::try_join!(
        users::list(&state.app, &panel.who, paging),
        invites::list(&state.app, &panel.who),
    )?;
    let (t, me, caller) = (&panel.page.t, panel.who.user_id().to_string(), panel.who.role());
    let rows = members
        .data
        .into_iter()
        .map(|m| member_row(*t, m, &me, caller))
        .collect();
    let invites = invites
        .into_iter()
        .map(|i| InviteRow {
            email: i.email.unwrap_or_default(),
            role_label: t.t(&format!("roles.{}", i.role)),
            expires: t.datetime(&i.expires_at),
            used: i.used,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || caller == Role::Owner)
        .map(|r| (r.as_str(), t.t(&format!("roles.{}", r.as_str()))))
        .collect();
    page(&UsersPage {
        members: rows,
        meta: members.meta,
        invites,
        created,
        roles,
        page: panel.page,
    })
}

/// `GET /admin/users`.
async fn list(
    State(state): State<HttpState>,
    panel: Panel,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    render(&state, panel, page_number(q.page.as_deref()), None).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

/// `POST /admin/users/invites`: the list again, with the new invitation's code shown once.
async fn invite(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Form(f): Form<InviteForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::UsersManage)?;
    let created = invites::create(&state.app, &panel.who, &f.role, Some(f.email), None, &meta).await?;
    render(&state, panel, None, Some(created)).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// `POST /admin/users/{id}/role`.
async fn change_role(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, WebError> {
    panel.require(Permission::UsersManage)?;
    let patch = MemberPatch {
        full_name: None,
        role: Some(f.role),
    };
    users::update(&state.app, &panel.who, user_id(&id)?, patch, &meta).await?;
    Ok(see_other("/admin/users"))
}

/// `POST /admin/users/{id}/suspend`: their sessions here end at once.
async fn suspend(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::UsersManage)?;
    users::suspend(&state.app, &panel.who, user_id(&id)?, &meta).await?;
    Ok(see_other("/admin/users"))
}

/// `POST /admin/users/{id}/activate`.
async fn activate(
    State(state): State<HttpState>,
    panel: Panel,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    panel.require(Permission::UsersManage)?;
    users::activate(&state.app, &panel.who, user_id(&id)?, &meta).await?;
    Ok(see_other("/admin/users"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_member_status_has_a_label() {
        for lang in Lang::ALL {
            let t = Tr::new(lang, "UTC");
            for s in vendhub_app::users::MEMBER_STATUSES.into_iter().chain(["deleted"]) {
                assert_ne!(t.t(&status_key(s)), "[?]", "{s}");
            }
        }
    }
}
