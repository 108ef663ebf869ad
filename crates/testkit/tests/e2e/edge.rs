//! The edge: client addresses through a real proxy hop (`TRUSTED_PROXIES`), per-address limits on the
//! unauthenticated account routes, and keep-alive connections that survive a refused request.

use std::net::{IpAddr, SocketAddr};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use vendhub_testkit::TestApp;

/// A reverse proxy on 127.0.0.1 in front of `upstream`: it adds `X-Forwarded-For: <client>` to each
/// request's head, as nginx's `$proxy_add_x_forwarded_for` does, and connects upstream from 127.0.0.1.
async fn proxy(upstream: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, peer)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let (first, rest) = text.split_once("\r\n").unwrap();
                let forwarded = format!("{first}\r\nX-Forwarded-For: {}\r\n{rest}", peer.ip());
                let socket = TcpSocket::new_v4().unwrap();
                socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
                let mut server = socket.connect(upstream).await.unwrap();
                server.write_all(forwarded.as_bytes()).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    addr
}

/// A client whose connections come from `source` (any 127/8 address is this machine's), one connection
/// per request.
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().unwrap())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

async fn bad_login(client: &reqwest::Client, at: SocketAddr) -> u16 {
    client
        .post(format!("http://{at}/api/v1/auth/login"))
        .json(&json!({ "email": "nobody@edge.test", "password": "wrong-password" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_sign_in_bucket() {
    let app = TestApp::builder()
        .env("RATE_LIMIT_AUTH_LIMIT", "3")
        .env("TRUSTED_PROXIES", "127.0.0.1/32")
        .spawn()
        .await;
    let front = proxy(app.addr).await;
    let first = client_from("127.0.0.2");
    for _ in 0..3 {
        assert_eq!(bad_login(&first, front).await, 401);
    }
    assert_eq!(
        bad_login(&first, front).await,
        429,
        "the first client used its bucket"
    );
    for n in 3..13 {
        let other = client_from(&format!("127.0.0.{n}"));
        assert_eq!(
            bad_login(&other, front).await,
            401,
            "client 127.0.0.{n} has its own bucket"
        );
    }
    // A client that talks to the server directly cannot pick another's address: it is not a trusted hop.
    let direct = client_from("127.0.0.2");
    let res = direct
        .post(format!("http://{}/api/v1/auth/login", app.addr))
        .header("x-forwarded-for", "198.51.100.1")
        .json(&json!({ "email": "nobody@edge.test", "password": "wrong-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        429,
        "the spoofed header is ignored: still 127.0.0.2's bucket"
    );
}

#[tokio::test]
async fn without_trusted_proxies_everyone_behind_the_proxy_is_one_client() {
    let app = TestApp::builder().env("RATE_LIMIT_AUTH_LIMIT", "3").spawn().await;
    let front = proxy(app.addr).await;
    for n in 2..5 {
        assert_eq!(bad_login(&client_from(&format!("127.0.0.{n}")), front).await, 401);
    }
    assert_eq!(
        bad_login(&client_from("127.0.0.9"), front).await,
        429,
        "one shared bucket"
    );
}

#[tokio::test]
async fn password_reset_reset_confirm_and_invite_accept_are_limited_per_address() {
    for (path, body) in [
        (
            "/api/v1/auth/password/reset",
            json!({ "email": "nobody@edge.test" }),
        ),
        (
            "/api/v1/auth/password/reset/confirm",
            json!({ "token": "not-a-token", "new_password": "long-enough-pass-2026" }),
        ),
        (
            "/api/v1/invites/accept",
            json!({ "token": "not-a-token", "full_name": "X", "password": "long-enough-pass-2026" }),
        ),
    ] {
        let app = TestApp::builder().env("RATE_LIMIT_AUTH_LIMIT", "3").spawn().await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let res = app.client.post(app.url(path)).json(&body).send().await.unwrap();
            statuses.push(res.status().as_u16());
            if res.status() == 429 {
                assert!(res.headers().contains_key("retry-after"), "{path}");
                assert_eq!(res.headers()["content-type"], "application/problem+json");
            }
        }
        assert!(statuses[..3].iter().all(|s| *s != 429), "{path}: {statuses:?}");
        assert_eq!(statuses[3], 429, "{path}: {statuses:?}");
    }
}

#[tokio::test]
async fn a_refused_request_with_an_unread_body_does_not_break_a_kept_alive_connection() {
    let app = TestApp::spawn().await;
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(300_000));
    // One connection, reused: reqwest keeps it alive unless the server says it will close it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    for round in 0..10 {
        let refused = client
            .post(app.url("/api/v1/locations"))
            .bearer_auth("not-a-token")
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
        assert_eq!(
            refused.headers().get("connection").map(|v| v.to_str().unwrap()),
            Some("close"),
            "round {round}: the body was left unread, so the server must say it closes"
        );
        drop(refused);
        let next = client.get(app.url("/health")).send().await;
        assert!(next.is_ok(), "round {round}: the next request failed: {next:?}");
    }
    // A request whose body was read keeps its connection.
    let read = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "nobody@edge.test", "password": "wrong-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 401);
    assert!(read.headers().get("connection").is_none(), "{:?}", read.headers());
}
