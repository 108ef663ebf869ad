//! The people pages: members, roles, invitations, suspension (`/admin/users`) and the signed-in person's
//! own profile: 2FA through the page, password, sessions (`/admin/profile`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_testkit::api::{call, demo_with_staff, get, login, other_organization, post};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const MANAGER: &str = "manager@demo.vendhub.uz";

fn code_for(secret_b32: &str) -> String {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
    t.generate(u64::try_from(chrono::Utc::now().timestamp()).unwrap())
}

/// The text of the element after `marker` up to the next `<`.
fn text_after(html: &str, marker: &str) -> String {
    let i = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find('<').unwrap()].trim().to_owned()
}

async fn member(app: &TestApp, token: &str, email: &str) -> Value {
    let (_, list) = get(app, "/api/v1/users?limit=100", token).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {list}"))
        .clone()
}

/// A new member made through the API, with their password.
async fn add_member(app: &TestApp, owner: &str, email: &str, role: &str) -> String {
    let password = "Member-pass-123";
    let (status, body) = post(
        app,
        "/api/v1/users",
        owner,
        json!({ "email": email, "full_name": role, "password": password, "role": role }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    password.to_owned()
}

#[tokio::test]
async fn an_owner_invites_a_person_with_a_role_and_the_api_lists_the_invite() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let list = c.get("/admin/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains(OWNER_EMAIL) && list.html.contains("action=\"/admin/users/invites\""));
    let made = c
        .post(
            "/admin/users/invites",
            &[("email", "new.person@example.uz"), ("role", "accountant")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.html);
    let code = text_after(&made.html, "data-testid=\"invite-code\">");
    assert_eq!(code.len(), 14, "a one-time code is shown: {code}");
    let (_, invites) = get(&app, "/api/v1/invites", &owner).await;
    let invite = &invites.as_array().unwrap()[0];
    assert_eq!(invite["email"], "new.person@example.uz");
    assert_eq!(invite["role"], "accountant");
    // Shown once: the list again has the invitation, not its code.
    let again = c.get("/admin/users").await;
    assert!(again.html.contains("new.person@example.uz") && !again.html.contains(&code));
    // A bad address is a page naming the field.
    let bad = c
        .post(
            "/admin/users/invites",
            &[("email", "not-an-address"), ("role", "viewer")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("<code>email</code>"), "{}", bad.html);
}

#[tokio::test]
async fn a_role_changed_on_the_page_is_the_role_the_api_shows() {
    let (app, owner, _) = demo_with_staff().await;
    let manager = member(&app, &owner, MANAGER).await;
    let id = manager["id"].as_str().unwrap();
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/users").await;
    let a = c
        .post(&format!("/admin/users/{id}/role"), &[("role", "accountant")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    assert_eq!(a.location.as_deref(), Some("/admin/users"));
    let (_, after) = get(&app, &format!("/api/v1/users/{id}"), &owner).await;
    assert_eq!(after["role"], "accountant");
    let bad = c
        .post(&format!("/admin/users/{id}/role"), &[("role", "king")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("<code>role</code>"));
}

#[tokio::test]
async fn an_admin_cannot_make_an_owner_and_sees_the_refusal() {
    let (app, owner, _) = demo_with_staff().await;
    let password = add_member(&app, &owner, "admin2@demo.vendhub.uz", "admin").await;
    let manager = member(&app, &owner, MANAGER).await;
    let id = manager["id"].as_str().unwrap();
    let mut c = PanelClient::sign_in(&app, "admin2@demo.vendhub.uz", &password).await;
    let list = c.get("/admin/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.html.contains("value=\"owner\""),
        "an admin is offered no owner role"
    );
    let refused = c
        .post(&format!("/admin/users/{id}/role?lang=en"), &[("role", "owner")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.html.contains("Your role does not allow this."),
        "{}",
        refused.html
    );
    let owner_id = member(&app, &owner, OWNER_EMAIL).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let suspend_owner = c.post(&format!("/admin/users/{owner_id}/suspend"), &[]).await;
    assert_eq!(suspend_owner.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, &format!("/api/v1/users/{id}"), &owner).await.1["role"],
        "manager"
    );
}

#[tokio::test]
async fn a_member_suspended_on_the_page_is_signed_out_at_once_and_can_be_reactivated() {
    let (app, owner, staff_password) = demo_with_staff().await;
    let id = member(&app, &owner, MANAGER).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut manager = PanelClient::sign_in(&app, MANAGER, &staff_password).await;
    assert_eq!(manager.get("/admin").await.status, StatusCode::OK);
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/users").await;
    let a = c.post(&format!("/admin/users/{id}/suspend"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let next = manager.get("/admin/machines").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert!(next.location.unwrap().starts_with("/admin/login"));
    assert_eq!(member(&app, &owner, MANAGER).await["status"], "suspended");
    let list = c.get("/admin/users").await;
    assert!(list.html.contains(&format!("/admin/users/{id}/activate")));
    let back = c.post(&format!("/admin/users/{id}/activate"), &[]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(member(&app, &owner, MANAGER).await["status"], "active");
    PanelClient::sign_in(&app, MANAGER, &staff_password).await;
}

#[tokio::test]
async fn suspending_a_person_here_leaves_their_other_organization_alone() {
    let (app, owner, staff_password) = demo_with_staff().await;
    let (other_org, other_owner) = other_organization(&app, "franchise", "Franchise-pass-123").await;
    // The other organization invites the demo manager, who joins with their own password.
    let (status, invite) = post(
        &app,
        "/api/v1/invites",
        &other_owner,
        json!({ "role": "operator", "email": MANAGER }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let (status, joined) = call(
        &app,
        Method::POST,
        "/api/v1/invites/accept",
        "",
        Some(
            json!({ "code": invite["code"], "email": MANAGER, "full_name": "M", "password": staff_password }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let id = member(&app, &owner, MANAGER).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The other organization's owner is no member here: 404.
    let (_, them) = get(&app, "/api/v1/auth/me", &other_owner).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/users").await;
    let foreign = c
        .post(
            &format!("/admin/users/{}/suspend", them["id"].as_str().unwrap()),
            &[],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let not_an_id = c.post("/admin/users/not-an-id/suspend", &[]).await;
    assert_eq!(not_an_id.status, StatusCode::NOT_FOUND);

    let a = c.post(&format!("/admin/users/{id}/suspend"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    assert_eq!(member(&app, &owner, MANAGER).await["status"], "suspended");
    assert_eq!(member(&app, &other_owner, MANAGER).await["status"], "active");
    let token = login(&app, MANAGER, &staff_password).await;
    assert_eq!(
        get(&app, "/api/v1/auth/me", &token).await.1["organization_id"],
        other_org
    );
}

#[tokio::test]
async fn a_manager_sees_no_user_controls_and_a_forged_post_is_refused() {
    let (app, owner, staff_password) = demo_with_staff().await;
    let operator = member(&app, &owner, "operator1@demo.vendhub.uz").await;
    let id = operator["id"].as_str().unwrap();
    let mut c = PanelClient::sign_in(&app, MANAGER, &staff_password).await;
    let home = c.get("/admin").await;
    assert!(!home.html.contains("href=\"/admin/users\""));
    assert_eq!(c.get("/admin/users").await.status, StatusCode::FORBIDDEN);
    for (path, fields) in [
        (format!("/admin/users/{id}/suspend"), vec![]),
        (format!("/admin/users/{id}/role"), vec![("role", "admin")]),
        (
            "/admin/users/invites".to_owned(),
            vec![("email", "x@y.uz"), ("role", "admin")],
        ),
    ] {
        let forged = c.post(&path, &fields).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
    let after = member(&app, &owner, "operator1@demo.vendhub.uz").await;
    assert_eq!(
        (after["status"].as_str(), after["role"].as_str()),
        (Some("active"), Some("operator"))
    );
    assert_eq!(get(&app, "/api/v1/invites", &owner).await.1, json!([]));
    // Their own profile is theirs to see.
    assert_eq!(c.get("/admin/profile").await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_factor_set_up_on_the_profile_page_shows_the_backup_codes_once_and_guards_the_next_sign_in() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let profile = c.get("/admin/profile").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.html.contains("action=\"/admin/profile/2fa/setup\""));
    let setup = c.post("/admin/profile/2fa/setup", &[]).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.html);
    assert!(setup.html.contains("<svg") && !setup.html.contains("<?xml"));
    assert!(!setup.html.contains("style=\"") && !setup.html.contains("<script>"));
    let secret = text_after(&setup.html, "data-testid=\"totp-secret\">");
    let wrong = c.post("/admin/profile/2fa/enable", &[("code", "12345")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let enabled = c
        .post("/admin/profile/2fa/enable", &[("code", &code_for(&secret))])
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.html);
    let codes = &enabled.html[enabled.html.find("data-testid=\"backup-codes\"").unwrap()..];
    let codes = &codes[..codes.find("</ol>").unwrap()];
    assert_eq!(codes.matches("<li>").count(), 10, "{codes}");
    let later = c.get("/admin/profile").await;
    assert!(!later.html.contains("backup-codes"), "the codes are shown once");
    assert!(later.html.contains("action=\"/admin/profile/2fa/disable\""));

    let mut next = PanelClient::new(&app);
    next.get("/admin/login").await;
    let step = next
        .post(
            "/admin/login",
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(step.status, StatusCode::OK);
    assert!(step.html.contains("name=\"code\""), "{}", step.html);
    assert_eq!(next.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_profile_changes_the_password_and_ends_another_session() {
    let app = TestApp::spawn().await;
    let api = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, sessions) = get(&app, "/api/v1/auth/sessions", &api).await;
    let api_session = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let profile = c.get("/admin/profile").await;
    let form = format!("/admin/profile/sessions/{api_session}/end");
    assert!(profile.html.contains(&form), "{}", profile.html);
    let ended = c.post(&form, &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/api/v1/auth/me", &api).await.0,
        StatusCode::UNAUTHORIZED
    );
    let unknown = c
        .post(
            "/admin/profile/sessions/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/end",
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "not one of theirs");

    let wrong = c
        .post(
            "/admin/profile/password",
            &[
                ("current_password", "not-it-123"),
                ("new_password", "Another-pass-456"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.html.contains("<code>current_password</code>"));
    let changed = c
        .post(
            "/admin/profile/password",
            &[
                ("current_password", OWNER_PASSWORD),
                ("new_password", "Another-pass-456"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    assert_eq!(
        c.get("/admin/profile?done=password").await.status,
        StatusCode::OK,
        "this session stays"
    );
    login(&app, OWNER_EMAIL, "Another-pass-456").await;
}
