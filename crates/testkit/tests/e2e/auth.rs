//! Sign-in, tokens, 2FA, lockout, roles, audit and rate limits through the API (CONTRACT section 4).

use reqwest::StatusCode;
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_testkit::api::{get, post_as, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

async fn owner_tokens(app: &TestApp) -> Value {
    let (status, body) = sign_in(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn code_for(secret_b32: &str, offset_steps: i64) -> String {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
    let now = chrono::Utc::now().timestamp() + offset_steps * 30;
    t.generate(u64::try_from(now).unwrap())
}

#[tokio::test]
async fn login_answers_the_contract_token_body_and_me_works() {
    let app = TestApp::spawn().await;
    let body = owner_tokens(&app).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("vhr_"));
    assert_eq!(body["user"]["email"], OWNER_EMAIL);
    assert_eq!(body["user"]["role"], "owner");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let (status, me) = get(&app, "/api/v1/auth/me", token).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], OWNER_EMAIL);
    assert_eq!(me["two_factor_enabled"], false);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_and_are_counted() {
    let app = TestApp::spawn().await;
    let (s1, wrong) = sign_in(&app, OWNER_EMAIL, "not-the-password").await;
    let (s2, unknown) = sign_in(&app, "nobody@nowhere.uz", "not-the-password").await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong, unknown, "no hint which one exists");
    assert_eq!(wrong["code"], "unauthorized");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"vendhub_login_failures_total{reason="credentials"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, OWNER_EMAIL, "wrong-password-x").await.0, 401);
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "even the right password waits out the lock");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "locked");
}

/// The lock ends when its fifteen minutes have passed by the clock the use cases go by: moved by hand
/// here, not slept through.
#[tokio::test]
async fn a_locked_account_signs_in_again_once_the_lock_has_passed() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, OWNER_EMAIL, "wrong-password-x").await.0, 401);
    }
    assert_eq!(sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await.0, 429);
    clock.advance(chrono::Duration::minutes(14));
    let (status, body) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 429, "a minute is left: {body}");
    clock.advance(chrono::Duration::minutes(1) + chrono::Duration::seconds(1));
    let (status, body) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}

/// A refresh token is good for `JWT_REFRESH_EXPIRES_IN` by the clock, and not a moment longer.
#[tokio::test]
async fn a_refresh_token_expires_after_its_lifetime() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder()
        .env("JWT_REFRESH_EXPIRES_IN", "1h")
        .clock(clock.clone())
        .spawn()
        .await;
    let (_, first) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    clock.advance(chrono::Duration::minutes(59));
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": first["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "still within the hour");
    let second: Value = res.json().await.unwrap();
    // The rotated token's session starts at the clock's time: an hour from now.
    clock.advance(chrono::Duration::minutes(61));
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": second["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "past its hour");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = owner_tokens(&app).await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await;
    assert_eq!(status, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let a2 = second["access_token"].as_str().unwrap();
    assert_eq!(get(&app, "/api/v1/auth/me", a2).await.0, 200);

    // Someone replays the first token: refused, and the family (the second token too) is revoked.
    assert_eq!(
        post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r1 }))
            .await
            .0,
        401
    );
    assert_eq!(
        post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r2 }))
            .await
            .0,
        401
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", a2).await.0,
        401,
        "its access tokens stop too"
    );

    let (_, audit) = get(
        &app,
        "/api/v1/audit?action=auth.refresh_reused",
        owner_tokens(&app).await["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(audit["meta"]["total"], 1, "{audit}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let t = owner_tokens(&app).await;
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(
        post_as(&app, "/api/v1/auth/logout", Some(access), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(get(&app, "/api/v1/auth/me", access).await.0, 401);
    let refresh = t["refresh_token"].as_str().unwrap();
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": refresh })
        )
        .await
        .0,
        401
    );
}

#[tokio::test]
async fn forged_none_and_garbage_tokens_are_401() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let real = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let payload = real.split('.').nth(1).unwrap();
    let none = format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    let mut sig_flipped = real.clone();
    sig_flipped.pop();
    sig_flipped.push(if real.ends_with('A') { 'B' } else { 'A' });
    for bad in [none.as_str(), sig_flipped.as_str(), "garbage", ""] {
        let (status, body) = get(&app, "/api/v1/auth/me", bad).await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(body["code"], "unauthorized");
    }
    let res = app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(res.status(), 401, "no token at all");
}

#[tokio::test]
async fn two_factor_setup_login_replay_backup_codes_and_lockout() {
    let app = TestApp::spawn().await;
    let access = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, setup) = post_as(&app, "/api/v1/auth/2fa/setup", Some(&access), json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let url = setup["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/") && url.contains("issuer=VendHub"),
        "{url}"
    );

    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/2fa/enable",
            Some(&access),
            json!({ "code": "000000" })
        )
        .await
        .0,
        401
    );
    let (status, enabled) = post_as(
        &app,
        "/api/v1/auth/2fa/enable",
        Some(&access),
        json!({ "code": code_for(&secret, 0) }),
    )
    .await;
    assert_eq!(status, 200, "{enabled}");
    let backup: Vec<String> = enabled["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(backup.len(), 10);

    // Sign-in now stops at a challenge, with no tokens.
    let (status, challenge) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(challenge["requires_2fa"], true);
    assert!(challenge.get("access_token").is_none());
    let ch = challenge["challenge_token"].as_str().unwrap().to_owned();
    // The code used to enable was from this step: it cannot be used again. The next step's code works.
    let verify = |code: String, ch: String| {
        let app = &app;
        async move {
            post_as(
                app,
                "/api/v1/auth/2fa/verify",
                None,
                json!({ "challenge_token": ch, "code": code }),
            )
            .await
        }
    };
    assert_eq!(
        verify(code_for(&secret, 0), ch.clone()).await.0,
        401,
        "a used code is not accepted twice"
    );
    let (status, tokens) = verify(code_for(&secret, 1), ch.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    assert_eq!(
        verify(code_for(&secret, 1), ch.clone()).await.0,
        401,
        "nor that one"
    );

    // A backup code works once.
    assert_eq!(verify(backup[0].clone(), ch.clone()).await.0, 200);
    assert_eq!(verify(backup[0].clone(), ch.clone()).await.0, 401);

    // Five wrong codes in a row lock 2FA (the reused backup code above was the first).
    for _ in 0..4 {
        assert_eq!(verify("123456".into(), ch.clone()).await.0, 401);
    }
    let (status, body) = verify(backup[1].clone(), ch.clone()).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (429, Some("locked")));

    // The secret is stored encrypted.
    let db = app.app.db().clone();
    let stored = db
        .run(|c| vendhub_store::users::find_by_email(c, OWNER_EMAIL))
        .await
        .unwrap()
        .unwrap();
    let sealed = stored.totp_secret.unwrap();
    assert!(sealed.starts_with("v1:") && !sealed.contains(&secret));
}

async fn add_member(app: &TestApp, token: &str, email: &str, role: &str) -> (StatusCode, Value) {
    post_as(
        app,
        "/api/v1/users",
        Some(token),
        json!({ "email": email, "full_name": "Test Person", "password": "field-work-2026!", "role": role }),
    )
    .await
}

#[tokio::test]
async fn roles_decide_and_a_suspended_users_token_stops_at_the_next_request() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, op) = add_member(&app, &owner, "op@test.vendhub.uz", "operator").await;
    assert_eq!(status, 201, "{op}");
    assert_eq!(
        add_member(&app, &owner, "adm@test.vendhub.uz", "admin").await.0,
        201
    );
    assert_eq!(
        add_member(&app, &owner, "op@test.vendhub.uz", "viewer").await.0,
        409,
        "e-mail taken"
    );

    let operator = sign_in(&app, "op@test.vendhub.uz", "field-work-2026!").await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = get(&app, "/api/v1/users", &operator).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(get(&app, "/api/v1/audit", &operator).await.0, 403);

    let admin = sign_in(&app, "adm@test.vendhub.uz", "field-work-2026!").await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        add_member(&app, &admin, "own2@test.vendhub.uz", "owner").await.0,
        403,
        "an admin cannot make an owner"
    );
    let (status, list) = get(&app, "/api/v1/users?page=1&limit=2", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["meta"],
        json!({ "page": 1, "limit": 2, "total": 3, "total_pages": 2 })
    );

    assert_eq!(get(&app, "/api/v1/auth/me", &operator).await.0, 200);
    let id = op["id"].as_str().unwrap();
    assert_eq!(
        post_as(
            &app,
            &format!("/api/v1/users/{id}/suspend"),
            Some(&admin),
            json!({})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &operator).await.0,
        401,
        "suspended: the token stops working"
    );
    assert_eq!(
        sign_in(&app, "op@test.vendhub.uz", "field-work-2026!").await.0,
        401
    );
}

#[tokio::test]
async fn bad_member_input_is_400_naming_each_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = post_as(
        &app,
        "/api/v1/users",
        Some(&owner),
        json!({ "email": "not-an-email", "full_name": "", "password": "short", "role": "king" }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "full_name", "role", "password"]);
    let script = "<script>alert(1)</script>'; DROP TABLE users; --";
    let (status, _) = add_member(&app, &owner, &format!("x{}@test.uz", "a"), "viewer").await;
    assert_eq!(status, 201);
    let (status, body) = post_as(
        &app,
        "/api/v1/users",
        Some(&owner),
        json!({ "email": "inj@test.uz", "full_name": script, "password": "field-work-2026!", "role": "viewer" }),
    )
    .await;
    assert_eq!(status, 201, "text is data, stored as given: {body}");
    assert_eq!(body["full_name"], script);
    let (_, list) = get(&app, "/api/v1/users", &owner).await;
    assert_eq!(list["meta"]["total"], 3, "the users table is intact");
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_oversized_bodies_are_problems() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/auth/login");
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let big = format!(
        r#"{{"email":"a@b.uz","password":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .client
        .post(&url)
        .json(&json!({ "email": "a@b.uz" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a missing field is a bad request");
}

#[tokio::test]
async fn the_audit_log_records_actions_and_verification_finds_tampering() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    add_member(&app, &owner, "a1@test.uz", "viewer").await;
    sign_in(&app, OWNER_EMAIL, "wrong-password-1").await;
    let (status, page) = get(&app, "/api/v1/audit?limit=10", &owner).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.create", "auth.login"],
        "newest first, this organization only: {page}"
    );
    let created = &page["data"][0];
    assert_eq!(created["after"]["role"], "viewer");
    assert!(created["request_id"].is_string() && created["ip"] == "127.0.0.1");

    assert_eq!(vendhub_app::audit::verify(&app.app).await.unwrap(), Ok(3));
    app.app
        .db()
        .run(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE audit_log SET action = 'auth.logout' WHERE seq = 2").execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let broken = vendhub_app::audit::verify(&app.app).await.unwrap().unwrap_err();
    assert_eq!(broken.0, 2, "the first broken link is named");
}

#[tokio::test]
async fn the_general_rate_limit_answers_429_with_retry_after() {
    let app = TestApp::builder()
        .env("RATE_LIMIT_LIMIT", "5")
        .env("RATE_LIMIT_TTL", "60")
        .spawn()
        .await;
    let token = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        assert_eq!(get(&app, "/api/v1/auth/me", &token).await.0, 200);
    }
    let res = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            <= 60
    );
    assert_eq!(
        app.get("/health/ready").await.status(),
        200,
        "health is never limited"
    );
}

#[tokio::test]
async fn two_replicas_on_redis_enforce_one_limit() {
    // Replicas share their signing secrets, as production configuration requires.
    let replica = || {
        TestApp::builder()
            .redis()
            .env("RATE_LIMIT_LIMIT", "6")
            .shared_secrets()
    };
    let one = replica().spawn().await;
    let two = replica().same_database_as(&one).spawn().await;
    let token = owner_tokens(&one).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut statuses = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { &one } else { &two };
        statuses.push(get(app, "/api/v1/auth/me", &token).await.0.as_u16());
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 200, 429, 429],
        "one shared counter"
    );
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_ip() {
    let app = TestApp::builder().env("RATE_LIMIT_AUTH_LIMIT", "3").spawn().await;
    for _ in 0..3 {
        assert_eq!(sign_in(&app, "x@y.uz", "whatever-pass").await.0, 401);
    }
    let (status, body) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (429, Some("rate_limited"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_all_succeed() {
    let app = TestApp::spawn().await;
    let attempts: Vec<_> = (0..24)
        .map(|_| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            })
        })
        .collect();
    for a in attempts {
        let (status, body) = a.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        vendhub_app::audit::verify(&app.app).await.unwrap(),
        Ok(24),
        "one unbroken chain"
    );
}
