//! `/admin/orders`: the list with its filters, an order's page with every provider call, its payments and
//! its vend command, and the accountant's refund; who may see and act, and one organization's orders out
//! of another's reach.

use reqwest::{Method, StatusCode};
use serde_json::json;
use vendhub_domain::payments::Provider;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{call, other_organization, post};
use vendhub_testkit::orders::{Shop, mark_paid, order, shop_of};
use vendhub_testkit::panel::PanelClient;

/// A person with `role` in the owner's organization, signed in to the panel.
pub async fn member(app: &TestApp, owner: &str, role: &str) -> PanelClient {
    let (email, password) = (format!("{role}@orders.test"), "Quiet-lamp-4821");
    let (status, body) = post(
        app,
        "/api/v1/users",
        owner,
        json!({ "email": email, "full_name": role, "password": password, "role": role }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    PanelClient::sign_in(app, &email, password).await
}

async fn paid_order(app: &TestApp, shop: &Shop) -> String {
    let o = order(app, shop).await;
    let id = o["id"].as_str().unwrap().to_owned();
    mark_paid(app, &id, Provider::Click).await;
    id
}

#[tokio::test]
async fn an_accountant_filters_orders_reads_one_and_refunds_it_with_a_reason() {
    let (app, owner) = vendhub_testkit::api::demo().await;
    let shop = shop_of(&app, &owner).await;
    let unpaid = order(&app, &shop).await["id"].as_str().unwrap().to_owned();
    let paid = paid_order(&app, &shop).await;
    let mut acc = member(&app, &owner, "accountant").await;

    let all = acc.get("/admin/orders?lang=en").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.html.contains(&unpaid) && all.html.contains(&paid),
        "{}",
        all.html
    );
    assert!(
        all.html.contains("href=\"/admin/orders\""),
        "the navigation names the page"
    );
    let only_paid = acc
        .get(&format!(
            "/admin/orders?status=paid&provider=click&machine_id={}",
            shop.machine_id
        ))
        .await;
    assert!(
        only_paid.html.contains(&paid) && !only_paid.html.contains(&unpaid),
        "{}",
        only_paid.html
    );
    let future = acc.get("/admin/orders?from=2099-01-01").await;
    assert!(!future.html.contains(&paid));
    for bad in ["status=lost", "provider=cash", "from=yesterday", "page=0"] {
        assert_eq!(
            acc.get(&format!("/admin/orders?{bad}")).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    let page = acc.get(&format!("/admin/orders/{paid}?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "data-testid=\"command\"",
        "Vend command",
        "Provider calls",
        "data-testid=\"refund-form\"",
    ] {
        assert!(page.html.contains(needle), "{needle} in {}", page.html);
    }
    let no_reason = acc
        .post(&format!("/admin/orders/{paid}/refund"), &[("reason", "  ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST, "{}", no_reason.html);
    let forged = acc
        .post_raw(&format!("/admin/orders/{paid}/refund"), &[("reason", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token, no refund");
    let done = acc
        .post(
            &format!("/admin/orders/{paid}/refund"),
            &[("reason", "the cup was cracked")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let (_, detail) = call(&app, Method::GET, &format!("/api/v1/orders/{paid}"), &owner, None).await;
    let status = detail["order"]["status"].as_str().unwrap();
    assert!(matches!(status, "refund_pending" | "refunded"), "{detail}");
    assert_eq!(detail["order"]["reason"], "the cup was cracked");
    let after = acc.get(&format!("/admin/orders/{paid}?lang=en")).await;
    assert!(after.html.contains("the cup was cracked"), "{}", after.html);
    // An unpaid order cannot be refunded.
    let refused = acc
        .post(
            &format!("/admin/orders/{unpaid}/refund"),
            &[("reason", "why not")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    if status == "refund_pending" {
        assert!(
            after.html.contains("data-testid=\"record-form\""),
            "{}",
            after.html
        );
        let recorded = acc
            .post(
                &format!("/admin/orders/{paid}/refunded"),
                &[("note", "returned in the cabinet")],
            )
            .await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.html);
        let (_, detail) = call(&app, Method::GET, &format!("/api/v1/orders/{paid}"), &owner, None).await;
        assert_eq!(detail["order"]["status"], "refunded");
    }
}

#[tokio::test]
async fn roles_and_organizations_bound_the_orders_pages() {
    let (app, owner) = vendhub_testkit::api::demo().await;
    let shop = shop_of(&app, &owner).await;
    let paid = paid_order(&app, &shop).await;

    // An operator: no entry in the navigation, 403 on the pages and the refund.
    let mut op = member(&app, &owner, "operator").await;
    let home = op.get("/admin").await;
    assert!(!home.html.contains("href=\"/admin/orders\"") && !home.html.contains("href=\"/admin/payments\""));
    assert_eq!(op.get("/admin/orders").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        op.get(&format!("/admin/orders/{paid}")).await.status,
        StatusCode::FORBIDDEN
    );
    let tried = op
        .post(&format!("/admin/orders/{paid}/refund"), &[("reason", "mine")])
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);

    // A manager reads orders but may not refund: no form, and a post is refused.
    let mut manager = member(&app, &owner, "manager").await;
    let page = manager.get(&format!("/admin/orders/{paid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains("refund-form"));
    let tried = manager
        .post(&format!("/admin/orders/{paid}/refund"), &[("reason", "mine")])
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);

    // Another organization's owner: the order does not exist for them.
    let (_, _) = other_organization(&app, "elsewhere", "Other-secret-9137").await;
    let mut other = PanelClient::sign_in(&app, "owner@elsewhere.test", "Other-secret-9137").await;
    assert_eq!(
        other.get(&format!("/admin/orders/{paid}")).await.status,
        StatusCode::NOT_FOUND
    );
    let tried = other
        .post(&format!("/admin/orders/{paid}/refund"), &[("reason", "theirs")])
        .await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/admin/orders").await.html.contains(&paid));
    assert_eq!(
        other.get("/admin/orders/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let (_, detail) = call(&app, Method::GET, &format!("/api/v1/orders/{paid}"), &owner, None).await;
    assert_eq!(detail["order"]["status"], "paid", "nothing was refunded");
}
