//! Every main page on a desktop and on a phone-sized window, over the demo fleet with some sales: each
//! renders with every text translated and, on the phone, nothing wider than the screen. With
//! `PANEL_SCREENSHOTS=<folder>` the pictures in the README are taken here.

use reqwest::Method;
use serde_json::json;
use vendhub_testkit::api::{call, demo_with_staff, get};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD};

use super::Browser;

/// Sends a few vends from the first machines, so the dashboard's charts have something to draw.
async fn some_sales(app: &vendhub_testkit::TestApp, owner: &str) {
    let (_, machines) = get(app, "/api/v1/machines?limit=5", owner).await;
    for (n, m) in machines["data"].as_array().unwrap().iter().enumerate() {
        let id = m["id"].as_str().unwrap();
        let (_, key) = call(
            app,
            Method::POST,
            &format!("/api/v1/machines/{id}/api-keys"),
            owner,
            Some(json!({ "label": "tour" })),
        )
        .await;
        let (_, inv) = get(app, &format!("/api/v1/machines/{id}/inventory"), owner).await;
        let slots: Vec<String> = inv
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["quantity"].as_i64().unwrap_or(0) > 1)
            .map(|s| s["slot"].as_str().unwrap().to_owned())
            .take(3)
            .collect();
        let events: Vec<_> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let method = ["cash", "payme", "click"][(i + n) % 3];
                json!({ "type": "vend", "id": format!("tour-{n}-{i}"), "slot": slot,
                    "price": 1_200_000 + 50_000 * i64::try_from(i).unwrap(), "payment_method": method })
            })
            .collect();
        let res = app
            .client
            .post(app.url("/api/v1/gateway/events"))
            .header("X-Api-Key", key["key"].as_str().unwrap())
            .json(&json!({ "machine_id": id, "events": events }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
}

#[tokio::test]
async fn every_main_page_renders_translated_on_a_desktop_and_fits_a_phone() {
    let (app, owner, _) = demo_with_staff().await;
    some_sales(&app, &owner).await;
    let (_, machines) = get(&app, "/api/v1/machines?limit=1", &owner).await;
    let machine = machines["data"][0]["id"].as_str().unwrap().to_owned();
    let machine_page = format!("/admin/machines/{machine}");
    let pages: [(&str, &str); 7] = [
        ("dashboard", "/admin"),
        ("machines", "/admin/machines"),
        ("machine", machine_page.as_str()),
        ("tasks", "/admin/tasks"),
        ("stock", "/admin/stock"),
        ("collections", "/admin/collections"),
        ("users", "/admin/users"),
    ];
    for (size, (w, h)) in [("desktop", (1280, 900)), ("phone", (390, 844))] {
        let b = Browser::start(&app.url(""), w, h).await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        for lang in ["en", "ru", "uz"] {
            for (name, path) in &pages {
                b.goto(&format!("{path}?lang={lang}")).await;
                b.find("main.content h1").await;
                let html = b.html().await;
                assert!(!html.contains("[?]"), "{path} in {lang} lacks a text");
                if size == "phone" {
                    let overflow = b
                        .client
                        .execute(
                            "return document.documentElement.scrollWidth - window.innerWidth;",
                            vec![],
                        )
                        .await
                        .unwrap();
                    if overflow.as_i64().unwrap_or(0) > 1 {
                        let wide = b
                            .client
                            .execute(
                                "return [...document.querySelectorAll('body *')]
                                   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                                   .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
                                       const o = getComputedStyle(p).overflowX;
                                       if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; }
                                     return true; })
                                   .slice(0, 5)
                                   .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40));",
                                vec![],
                            )
                            .await
                            .unwrap();
                        panic!("{path} in {lang} is {overflow} px wider than a phone: {wide}");
                    }
                }
                if lang == "en" {
                    b.screenshot(&format!("{name}-{size}")).await;
                }
            }
        }
        b.close().await;
    }
}
