//! Invitations: codes that work once, e-mailed invites for one address, expiry by the clock.

use serde_json::json;
use std::time::Duration;
use vendhub_testkit::api::{get, login, post_as};
use vendhub_testkit::smtp::SmtpSink;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn an_invite_code_works_once_even_under_concurrent_acceptance() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, invite) = post_as(
        &app,
        "/api/v1/invites",
        Some(&owner),
        json!({ "role": "operator" }),
    )
    .await;
    assert_eq!(status, 201, "{invite}");
    let code = invite["code"].as_str().unwrap().to_owned();

    let attempts = (0..5).map(|i| {
        let (client, url, code) = (app.client.clone(), app.url("/api/v1/invites/accept"), code.clone());
        tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({ "code": code, "email": format!("racer{i}@test.uz"), "full_name": "Racer", "password": "racing-pass-2026" }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409], "exactly one acceptance wins");
    let (_, list) = get(&app, "/api/v1/users", &owner).await;
    assert_eq!(list["meta"]["total"], 2, "one new member, no half-made ones");
    let (_, invites) = get(&app, "/api/v1/invites", &owner).await;
    assert_eq!(invites[0]["used"], true);
    assert!(invites[0].get("code").is_none(), "codes are shown once");
}

#[tokio::test]
async fn an_emailed_invite_is_sent_and_only_that_address_may_accept() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.port.to_string())
        .spawn()
        .await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, invite) = post_as(
        &app,
        "/api/v1/invites",
        Some(&owner),
        json!({ "role": "accountant", "email": "acc@test.uz" }),
    )
    .await;
    assert_eq!(status, 201);
    let code = invite["code"].as_str().unwrap();
    let mail = sink.wait_for("acc@test.uz", Duration::from_secs(15)).await;
    assert!(mail.data.contains(code), "{}", mail.data);
    let accept = |email: &str| json!({ "code": code, "email": email, "full_name": "Accountant", "password": "ledger-pass-2026" });
    assert_eq!(
        post_as(&app, "/api/v1/invites/accept", None, accept("other@test.uz"))
            .await
            .0,
        400
    );
    assert_eq!(
        post_as(&app, "/api/v1/invites/accept", None, accept("acc@test.uz"))
            .await
            .0,
        201
    );
    let (_, me) = get(
        &app,
        "/api/v1/auth/me",
        &login(&app, "acc@test.uz", "ledger-pass-2026").await,
    )
    .await;
    assert_eq!(me["role"], "accountant");
}

/// An invitation is good until its expiry by the clock the use cases go by (moved by hand here).
#[tokio::test]
async fn an_invitation_expires_by_the_clock() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let invite = |hours: i64| {
        let (app, owner) = (&app, owner.clone());
        async move {
            let (status, invite) = post_as(
                app,
                "/api/v1/invites",
                Some(&owner),
                json!({ "role": "viewer", "expires_in_hours": hours }),
            )
            .await;
            assert_eq!(status, 201, "{invite}");
            invite["code"].as_str().unwrap().to_owned()
        }
    };
    let accept = |code: String, email: &'static str| {
        let app = &app;
        async move {
            post_as(
                app,
                "/api/v1/invites/accept",
                None,
                json!({ "code": code, "email": email, "full_name": "Guest", "password": "guest-pass-2026" }),
            )
            .await
        }
    };
    let (soon, later) = (invite(1).await, invite(3).await);
    clock.advance(chrono::Duration::hours(2));
    let (status, body) = accept(soon, "first@test.uz").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    let (status, body) = accept(later, "second@test.uz").await;
    assert_eq!(status, 201, "{body}");
}
