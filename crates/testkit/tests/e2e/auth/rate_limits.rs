//! Rate limits: the general limit with Retry-After, one limit across replicas on Redis, sign-in attempts per IP.

use vendhub_testkit::api::{get, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::owner_tokens;

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
