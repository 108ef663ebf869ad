//! Passwords (change, reset by e-mail through a local SMTP server), sessions, organizations and invites.

use std::time::Duration;

use serde_json::json;
use vendhub_testkit::api::{call_as, get, login, post_as, sign_in};
use vendhub_testkit::smtp::SmtpSink;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// The token as it stands on its own line (a long URL line may be soft-wrapped by the mail encoding).
fn reset_token(mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("vhp_") && l.len() == 47)
        .expect("a reset token line in the mail")
        .to_owned()
}

#[tokio::test]
async fn a_password_reset_is_mailed_through_smtp_and_works_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.port.to_string())
        .env("SMTP_TLS", "none")
        .env("SMTP_FROM", "noreply@test.vendhub.uz")
        .spawn()
        .await;
    let old_session = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": OWNER_EMAIL })
        )
        .await
        .0,
        202
    );
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": "ghost@x.uz" })
        )
        .await
        .0,
        202,
        "same answer"
    );

    let mail = sink.wait_for(OWNER_EMAIL, Duration::from_secs(15)).await;
    assert!(
        mail.data.contains("Subject: VendHub: reset your password"),
        "{}",
        mail.data
    );
    let t = reset_token(&mail.data);
    assert_eq!(
        sink.received().len(),
        1,
        "nothing was sent for the unknown address"
    );

    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "short" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["errors"][0]["field"].as_str()),
        (400, Some("new_password"))
    );
    let (status, _) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "brand-new-pass-2026" }),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await.0, 401);
    assert_eq!(sign_in(&app, OWNER_EMAIL, "brand-new-pass-2026").await.0, 200);
    assert_eq!(
        get(&app, "/api/v1/auth/me", &old_session).await.0,
        401,
        "every old session ended"
    );
    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "another-pass-2026" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("reset_token_invalid")),
        "single use"
    );
}

#[tokio::test]
async fn without_smtp_a_reset_mail_job_is_parked_with_the_reason() {
    let app = TestApp::spawn().await;
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": OWNER_EMAIL })
        )
        .await
        .0,
        202
    );
    let db = app.app.db().clone();
    let start = std::time::Instant::now();
    loop {
        let jobs = db
            .run(|c| vendhub_store::jobs::by_kind(c, "mail.send"))
            .await
            .unwrap();
        if let Some(j) = jobs.iter().find(|j| j.state == "dead") {
            assert!(j.last_error.as_deref().unwrap().contains("SMTP_HOST is not set"));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "job not parked: {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    let here = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let elsewhere = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/change",
        Some(&here),
        json!({ "current_password": "wrong-current-1", "new_password": "changed-pass-2026" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["errors"][0]["field"].as_str()),
        (400, Some("current_password"))
    );
    let (status, _) = post_as(
        &app,
        "/api/v1/auth/password/change",
        Some(&here),
        json!({ "current_password": OWNER_PASSWORD, "new_password": "changed-pass-2026" }),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, "/api/v1/auth/me", &here).await.0, 200);
    assert_eq!(get(&app, "/api/v1/auth/me", &elsewhere).await.0, 401);
}

#[tokio::test]
async fn sessions_are_listed_and_can_be_ended_one_by_one() {
    let app = TestApp::spawn().await;
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let b = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, list) = get(&app, "/api/v1/auth/sessions", &a).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call_as(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/auth/sessions/{other}"),
        Some(&a),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, "/api/v1/auth/me", &b).await.0, 401);
    assert_eq!(get(&app, "/api/v1/auth/me", &a).await.0, 200);
    let random = uuid::Uuid::now_v7();
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/auth/sessions/{random}"),
            Some(&a),
            None
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn an_owner_runs_several_organizations_and_switches_explicitly() {
    let app = TestApp::spawn().await;
    let first = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, org2) = post_as(
        &app,
        "/api/v1/organizations",
        Some(&first),
        json!({ "name": "Samarqand Vending", "timezone": "Asia/Samarkand" }),
    )
    .await;
    assert_eq!(status, 201, "{org2}");
    let (_, mine) = get(&app, "/api/v1/organizations", &first).await;
    assert_eq!(mine.as_array().unwrap().len(), 2);

    let (status, switched) = post_as(
        &app,
        "/api/v1/auth/switch-organization",
        Some(&first),
        json!({ "organization_id": org2["id"] }),
    )
    .await;
    assert_eq!(status, 200, "{switched}");
    assert_eq!(switched["user"]["organization_id"], org2["id"]);
    let second = switched["access_token"].as_str().unwrap();
    let (_, current) = get(&app, "/api/v1/organizations/current", second).await;
    assert_eq!(current["name"], "Samarqand Vending");
    let (_, audit) = get(&app, "/api/v1/audit?action=auth.switch_organization", second).await;
    assert_eq!(
        audit["meta"]["total"], 1,
        "the switch is audited in the organization switched to"
    );
    let (_, home) = get(&app, "/api/v1/organizations/current", &first).await;
    let home_id = home["id"].as_str().unwrap();
    let (_, log) = get(&app, "/api/v1/audit?limit=100", second).await;
    assert!(
        !log.to_string().contains(home_id),
        "the log of the organization switched to carries the other organization's id: {log}"
    );

    let nowhere = uuid::Uuid::now_v7();
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/switch-organization",
            Some(&first),
            json!({ "organization_id": nowhere })
        )
        .await
        .0,
        404
    );

    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/organizations/current",
        Some(second),
        Some(json!({ "name": "Samarqand Vending LLC", "timezone": "Not a zone", "language": "de" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/organizations/current",
        Some(second),
        Some(json!({ "name": "Samarqand Vending LLC", "language": "ru" })),
    )
    .await;
    assert_eq!((status.as_u16(), body["language"].as_str()), (200, Some("ru")));
}

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

#[tokio::test]
async fn members_are_renamed_promoted_within_limits_and_deleted() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let new = |email: &str, role: &str| json!({ "email": email, "full_name": "Person", "password": "member-pass-2026", "role": role });
    let (_, admin) = post_as(&app, "/api/v1/users", Some(&owner), new("adm@test.uz", "admin")).await;
    let (_, op) = post_as(&app, "/api/v1/users", Some(&owner), new("op@test.uz", "operator")).await;
    let admin_token = login(&app, "adm@test.uz", "member-pass-2026").await;
    let op_path = format!("/api/v1/users/{}", op["id"].as_str().unwrap());
    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        &op_path,
        Some(&admin_token),
        Some(json!({ "full_name": "Aziz", "role": "manager" })),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["role"].as_str(), body["full_name"].as_str()),
        (200, Some("manager"), Some("Aziz"))
    );
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::PATCH,
            &op_path,
            Some(&admin_token),
            Some(json!({ "role": "owner" }))
        )
        .await
        .0,
        403
    );
    let own_path = format!("/api/v1/users/{}", admin["id"].as_str().unwrap());
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::PATCH,
            &own_path,
            Some(&admin_token),
            Some(json!({ "role": "viewer" }))
        )
        .await
        .0,
        422
    );
    assert_eq!(
        call_as(&app, reqwest::Method::DELETE, &op_path, Some(&admin_token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call_as(&app, reqwest::Method::GET, &op_path, Some(&admin_token), None)
            .await
            .0,
        404
    );
    assert_eq!(sign_in(&app, "op@test.uz", "member-pass-2026").await.0, 401);
    assert_eq!(
        post_as(&app, "/api/v1/users", Some(&owner), new("op@test.uz", "viewer"))
            .await
            .0,
        201,
        "the e-mail is free again"
    );
}

#[tokio::test]
async fn deleting_an_organization_ends_its_sessions_and_keeps_the_others() {
    let app = TestApp::spawn().await;
    let first = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, org2) = post_as(
        &app,
        "/api/v1/organizations",
        Some(&first),
        json!({ "name": "Short-lived" }),
    )
    .await;
    let (_, switched) = post_as(
        &app,
        "/api/v1/auth/switch-organization",
        Some(&first),
        json!({ "organization_id": org2["id"] }),
    )
    .await;
    let second = switched["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::DELETE,
            "/api/v1/organizations/current",
            Some(&second),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &second).await.0,
        401,
        "no one acts in a deleted organization"
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &first).await.0,
        200,
        "the first organization is untouched"
    );
    let (_, mine) = get(&app, "/api/v1/organizations", &first).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/switch-organization",
            Some(&first),
            json!({ "organization_id": org2["id"] })
        )
        .await
        .0,
        404
    );
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
