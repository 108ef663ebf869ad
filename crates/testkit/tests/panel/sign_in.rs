//! Signing in and out of the panel, 2FA, the session cookie, CSRF, languages, security headers.

use reqwest::StatusCode;
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_testkit::api::{login, post_as};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

fn code_for(secret_b32: &str) -> String {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
    t.generate(u64::try_from(chrono::Utc::now().timestamp()).unwrap())
}

#[tokio::test]
async fn the_root_leads_to_the_panel_and_the_panel_to_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::new(&app);
    let root = c.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location.as_deref(), Some("/admin"));
    let admin = c.get("/admin/machines?status=active").await;
    assert_eq!(admin.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.location.as_deref(),
        Some("/admin/login?next=%2Fadmin%2Fmachines%3Fstatus%3Dactive")
    );
    let form = c.get("/admin/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("name=\"email\"") && form.html.contains("name=\"password\""));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_a_message_and_no_session() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::new(&app);
    c.get("/admin/login?lang=en").await;
    let a = c
        .post(
            "/admin/login?lang=en",
            &[("email", OWNER_EMAIL), ("password", "wrong-password-1")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.html.contains("Wrong e-mail or password."), "{}", a.html);
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_sets_an_http_only_lax_cookie_and_returns_to_the_page_asked_for() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::new(&app);
    c.get("/admin/login").await;
    let res = c
        .http
        .post(app.url("/admin/login"))
        .form(&[
            ("_csrf", c.csrf.as_str()),
            ("email", OWNER_EMAIL),
            ("password", OWNER_PASSWORD),
            ("next", "/admin/tasks"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/tasks");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("vh_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "development serves plain http: {cookie}"
    );
    let page = c.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("data-testid=\"who\""));
}

#[tokio::test]
async fn every_page_forbids_inline_code_and_framing() {
    let app = TestApp::spawn().await;
    let c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    for path in ["/admin/login", "/admin", "/admin/orders"] {
        let res = c.http.get(app.url(path)).send().await.unwrap();
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let js = c
        .http
        .get(app.url("/assets/web/vendor/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let forged = c.post_raw("/admin/logout", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = c.post_raw("/admin/logout", &[("_csrf", "0123")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/admin").await.status, StatusCode::OK, "still signed in");
    // The sign-in form's own token is checked too.
    let mut anonymous = PanelClient::new(&app);
    let a = anonymous
        .post_raw(
            "/admin/login",
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let cookie = c
        .http
        .get(app.url("/admin"))
        .send()
        .await
        .unwrap()
        .url()
        .to_string();
    assert!(!cookie.is_empty());
    let out = c.post("/admin/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/admin/login"));
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_stolen_cookie_stops_working_after_sign_out() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::new(&app);
    c.get("/admin/login").await;
    let res = c
        .http
        .post(app.url("/admin/login"))
        .form(&[
            ("_csrf", c.csrf.as_str()),
            ("email", OWNER_EMAIL),
            ("password", OWNER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("vh_session="))
        .unwrap();
    let value = session.split(';').next().unwrap().to_owned();
    let thief = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let before = thief
        .get(app.url("/admin"))
        .header("cookie", &value)
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    c.get("/admin").await;
    c.post("/admin/logout", &[]).await;
    let after = thief
        .get(app.url("/admin"))
        .header("cookie", &value)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn with_two_factor_on_the_panel_asks_for_the_code_and_takes_a_backup_code() {
    let app = TestApp::spawn().await;
    let access = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, setup) = post_as(&app, "/api/v1/auth/2fa/setup", Some(&access), json!({})).await;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let (status, enabled) = post_as(
        &app,
        "/api/v1/auth/2fa/enable",
        Some(&access),
        json!({ "code": code_for(&secret) }),
    )
    .await;
    assert_eq!(status, 200, "{enabled}");
    let backup = enabled["backup_codes"][0].as_str().unwrap().to_owned();

    let mut c = PanelClient::new(&app);
    c.get("/admin/login?lang=en").await;
    let step = c
        .post(
            "/admin/login",
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(step.status, StatusCode::OK);
    assert!(step.html.contains("name=\"code\""), "{}", step.html);
    assert_eq!(
        c.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "no session before the code"
    );
    let challenge = vendhub_testkit::panel::field_value(&step.html, "challenge_token").unwrap();
    let wrong = c
        .post(
            "/admin/login/2fa",
            &[("challenge_token", &challenge), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = c
        .post(
            "/admin/login/2fa",
            &[("challenge_token", &challenge), ("code", &backup)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    assert_eq!(c.get("/admin").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_suspended_membership_ends_the_panel_session_at_once() {
    let (app, owner, staff_password) = vendhub_testkit::api::demo_with_staff().await;
    let manager = vendhub_testkit::api::get(&app, "/api/v1/users?limit=100", &owner)
        .await
        .1["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "manager")
        .unwrap()
        .clone();
    let email = manager["email"].as_str().unwrap();
    let mut c = PanelClient::sign_in(&app, email, &staff_password).await;
    assert_eq!(c.get("/admin").await.status, StatusCode::OK);
    let id = manager["id"].as_str().unwrap();
    let (status, _) = post_as(
        &app,
        &format!("/api/v1/users/{id}/suspend"),
        Some(&owner),
        json!({}),
    )
    .await;
    assert!(status.is_success());
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_language_follows_the_query_then_the_cookie_then_the_browser() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let ru = c.get("/admin?lang=ru").await;
    assert!(
        ru.html.contains("<html lang=\"ru\">") && ru.html.contains("Выйти"),
        "{}",
        ru.html
    );
    let remembered = c.get("/admin").await;
    assert!(
        remembered.html.contains("<html lang=\"ru\">"),
        "the choice is kept in a cookie"
    );
    let en = c.get("/admin?lang=en").await;
    assert!(en.html.contains("Sign out"));
    let browser = reqwest::Client::new()
        .get(app.url("/admin/login"))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(browser.contains("<html lang=\"ru\">") && browser.contains("Войти"));
}

#[tokio::test]
async fn a_person_in_two_organizations_switches_explicitly_and_sees_each_ones_name() {
    let app = TestApp::spawn().await;
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (person, password) = ("dilnoza@franchise.test", "tashkent-spring-2026");
    let (status, _) = vendhub_testkit::api::post(
        &app,
        "/api/v1/users",
        &a,
        json!({ "email": person, "full_name": "Dilnoza A.", "password": password, "role": "manager" }),
    )
    .await;
    assert_eq!(status, 201);
    let (c_id, c) =
        vendhub_testkit::api::other_organization(&app, "franchise-c", "franchise-c-pass-2026").await;
    let (_, invite) = vendhub_testkit::api::post(
        &app,
        "/api/v1/invites",
        &c,
        json!({ "role": "operator", "email": person }),
    )
    .await;
    let (status, _) = post_as(
        &app,
        "/api/v1/invites/accept",
        None,
        json!({ "code": invite["code"], "email": person, "full_name": "D", "password": password }),
    )
    .await;
    assert_eq!(status, 201);

    let mut p = PanelClient::sign_in(&app, person, password).await;
    let home = p.get("/admin?lang=en").await;
    assert!(
        home.html.contains("name=\"organization_id\""),
        "a switch is offered"
    );
    assert!(home.html.contains(&format!("value=\"{c_id}\"")));
    let before = home.html.clone();
    // An organization the person is not a member of is "not found", and nothing changes.
    let (other_id, _) =
        vendhub_testkit::api::other_organization(&app, "stranger", "stranger-pass-2026").await;
    let refused = p
        .post("/admin/organization", &[("organization_id", &other_id)])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    p.get("/admin").await;
    let switched = p.post("/admin/organization", &[("organization_id", &c_id)]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.html);
    let now = p.get("/admin").await;
    assert!(now.html.contains("franchise-c"), "{}", now.html);
    assert!(now.html.contains("(Operator)"), "the role held there");
    assert_ne!(before, now.html);
    // The audit log of C records the switch.
    let (_, log) = vendhub_testkit::api::get(&app, "/api/v1/audit?limit=100", &c).await;
    assert!(log.to_string().contains("auth.switch_organization"), "{log}");
}
