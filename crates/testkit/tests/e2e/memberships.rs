//! A person in two organizations: each organization changes only its own membership of them (role,
//! suspension, removal); the account (name, password) is the person's. Inviting an existing person
//! answers as inviting a new one, and they accept with their own password.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use vendhub_testkit::api::{call, get, login, other_organization, post};

const PERSON: &str = "dilnoza@franchise.test";
const PASSWORD: &str = "tashkent-spring-2026";

struct TwoOrgs {
    app: TestApp,
    /// Organization A's owner, and C's.
    a: String,
    c: String,
    person_id: String,
    /// The person's tokens acting in A, and in C.
    person_in_a: String,
    person_in_c: String,
}

/// The person is a manager in A (created there) and an operator in C (invited, accepted with their own
/// password).
async fn two_orgs() -> TwoOrgs {
    let app = TestApp::spawn().await;
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, person) = post(
        &app,
        "/api/v1/users",
        &a,
        json!({ "email": PERSON, "full_name": "Dilnoza A.", "password": PASSWORD, "role": "manager" }),
    )
    .await;
    assert_eq!(status, 201, "{person}");
    let (c_id, c) = other_organization(&app, "franchise-c", "franchise-c-pass-2026").await;
    let (status, invite) = post(
        &app,
        "/api/v1/invites",
        &c,
        json!({ "role": "operator", "email": PERSON }),
    )
    .await;
    assert_eq!(status, 201, "{invite}");
    let (status, joined) = post(
        &app,
        "/api/v1/invites/accept",
        "",
        json!({ "code": invite["code"], "email": PERSON, "full_name": "Someone Else", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["id"], person["id"], "the existing account joined");
    assert_eq!(
        joined["full_name"], "Dilnoza A.",
        "the name given at acceptance is not the account's"
    );
    let person_in_a = login(&app, PERSON, PASSWORD).await;
    let (status, switched) = post(
        &app,
        "/api/v1/auth/switch-organization",
        &person_in_a,
        json!({ "organization_id": c_id }),
    )
    .await;
    assert_eq!(status, 200, "{switched}");
    TwoOrgs {
        app,
        a,
        c,
        person_id: person["id"].as_str().unwrap().to_owned(),
        person_in_a,
        person_in_c: switched["access_token"].as_str().unwrap().to_owned(),
    }
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    get(app, "/api/v1/auth/me", token).await.0
}

#[tokio::test]
async fn suspending_in_one_organization_leaves_the_person_signed_in_to_the_other() {
    let t = two_orgs().await;
    let path = format!("/api/v1/users/{}/suspend", t.person_id);
    let (status, body) = post(&t.app, &path, &t.c, json!({})).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(me(&t.app, &t.person_in_c).await, 401, "C's token stops");
    assert_eq!(me(&t.app, &t.person_in_a).await, 200, "A's token still works");
    let again = login(&t.app, PERSON, PASSWORD).await;
    assert_eq!(me(&t.app, &again).await, 200, "they still sign in, to A");
    let user = format!("/api/v1/users/{}", t.person_id);
    assert_eq!(
        get(&t.app, &user, &t.a).await.1["status"],
        "active",
        "A's membership"
    );
    assert_eq!(
        get(&t.app, &user, &t.c).await.1["status"],
        "suspended",
        "C's membership"
    );
    // Switching into C is refused while suspended there.
    let (_, c_org) = get(&t.app, "/api/v1/organizations/current", &t.c).await;
    let (status, _) = post(
        &t.app,
        "/api/v1/auth/switch-organization",
        &again,
        json!({ "organization_id": c_org["id"] }),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &t.app,
        &format!("/api/v1/users/{}/activate", t.person_id),
        &t.c,
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&t.app, &user, &t.c).await.1["status"], "active");
}

#[tokio::test]
async fn removing_from_one_organization_keeps_the_person_in_the_other() {
    let t = two_orgs().await;
    let user = format!("/api/v1/users/{}", t.person_id);
    let (status, body) = call(&t.app, Method::DELETE, &user, &t.c, None).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(get(&t.app, &user, &t.c).await.0, 404, "gone from C");
    assert_eq!(get(&t.app, &user, &t.a).await.0, 200, "still in A");
    assert_eq!(me(&t.app, &t.person_in_a).await, 200);
    assert_eq!(me(&t.app, &t.person_in_c).await, 401);
    assert_eq!(me(&t.app, &login(&t.app, PERSON, PASSWORD).await).await, 200);
}

#[tokio::test]
async fn another_organization_cannot_rename_a_shared_person_but_may_change_their_role_there() {
    let t = two_orgs().await;
    let user = format!("/api/v1/users/{}", t.person_id);
    let (status, body) = call(
        &t.app,
        Method::PATCH,
        &user,
        &t.c,
        Some(json!({ "full_name": "Renamed by C" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("full_name"), "{body}");
    assert_eq!(get(&t.app, &user, &t.a).await.1["full_name"], "Dilnoza A.");
    let (status, body) = call(
        &t.app,
        Method::PATCH,
        &user,
        &t.c,
        Some(json!({ "role": "viewer" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(&t.app, &user, &t.c).await.1["role"], "viewer");
    assert_eq!(
        get(&t.app, &user, &t.a).await.1["role"],
        "manager",
        "A's role is A's"
    );
}

#[tokio::test]
async fn an_account_of_one_organization_is_still_managed_by_its_admins() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, person) = post(
        &app,
        "/api/v1/users",
        &owner,
        json!({ "email": "solo@one.test", "full_name": "Solo", "password": "quiet-river-2026-x", "role": "operator" }),
    )
    .await;
    let user = format!("/api/v1/users/{}", person["id"].as_str().unwrap());
    let (status, body) = call(
        &app,
        Method::PATCH,
        &user,
        &owner,
        Some(json!({ "full_name": "Solo Renamed" })),
    )
    .await;
    assert_eq!(
        (status, body["full_name"].as_str()),
        (StatusCode::OK, Some("Solo Renamed"))
    );
    // Suspended in their only organization, they cannot sign in at all.
    let (status, _) = post(&app, &format!("{user}/suspend"), &owner, json!({})).await;
    assert_eq!(status, 204);
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "solo@one.test", "password": "quiet-river-2026-x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn inviting_an_existing_person_answers_as_inviting_a_new_one() {
    let t = two_orgs().await;
    let (_, d_token) = other_organization(&t.app, "franchise-d", "franchise-d-pass-2026").await;
    let invite = |email: &str| json!({ "role": "viewer", "email": email });
    let (s1, existing) = post(&t.app, "/api/v1/invites", &d_token, invite(PERSON)).await;
    let (s2, fresh) = post(
        &t.app,
        "/api/v1/invites",
        &d_token,
        invite("nobody-yet@franchise.test"),
    )
    .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{existing} {fresh}"
    );
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&existing), keys(&fresh));
    assert_eq!(existing["used"], fresh["used"]);
    // The wrong password does not join them; the right one does, and the password stays theirs.
    let accept = |password: &str| json!({ "code": existing["code"], "email": PERSON, "full_name": "X", "password": password });
    let (status, _) = post(
        &t.app,
        "/api/v1/invites/accept",
        "",
        accept("not-their-password-1"),
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = post(&t.app, "/api/v1/invites/accept", "", accept(PASSWORD)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(me(&t.app, &login(&t.app, PERSON, PASSWORD).await).await, 200);
}

/// Adding (with a password) an address that has an account in another organization answers exactly as
/// adding a new one, changes nothing of that account, and mails an invitation its owner accepts with their
/// own password.
#[tokio::test]
async fn adding_an_address_that_has_an_account_elsewhere_answers_as_a_new_one_and_invites_it() {
    let sink = vendhub_testkit::smtp::SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.port.to_string())
        .spawn()
        .await;
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, person) = post(
        &app,
        "/api/v1/users",
        &a,
        json!({ "email": PERSON, "full_name": "Dilnoza A.", "password": PASSWORD, "role": "manager" }),
    )
    .await;
    assert_eq!(status, 201, "{person}");
    let (_, c) = other_organization(&app, "franchise-c", "franchise-c-pass-2026").await;
    let add = |email: &str| json!({ "email": email, "full_name": "Chosen By C", "password": "c-chosen-pass-2026", "role": "operator" });

    let (status_new, fresh) = post(&app, "/api/v1/users", &c, add("nobody-yet@franchise.test")).await;
    let (status_existing, existing) = post(&app, "/api/v1/users", &c, add(PERSON)).await;
    assert_eq!(
        (status_new, status_existing),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{existing}"
    );
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&fresh), keys(&existing));
    for field in ["full_name", "role", "status", "two_factor_enabled"] {
        assert_eq!(fresh[field], existing[field], "{field}: {fresh} vs {existing}");
    }
    assert_eq!(existing["email"], PERSON);
    assert_ne!(existing["id"], person["id"], "the account's id is not disclosed");

    // The account is the person's: C's password does not open it, the name is theirs.
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": PERSON, "password": "c-chosen-pass-2026" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let own = login(&app, PERSON, PASSWORD).await;
    assert_eq!(
        get(&app, "/api/v1/auth/me", &own).await.1["full_name"],
        "Dilnoza A."
    );

    // The invitation reaches them; accepting with their own password adds the membership.
    let mail = sink.wait_for(PERSON, std::time::Duration::from_secs(15)).await;
    // The link's `code=` (quoted-printable writes `=` as `=3D`).
    let code = mail
        .data
        .split("?code=3D")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map_or_else(|| panic!("no code in {}", mail.data), str::to_owned);
    let (status, joined) = post(
        &app,
        "/api/v1/invites/accept",
        "",
        json!({ "code": code, "email": PERSON, "full_name": "ignored", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["id"], person["id"]);
    assert_eq!(joined["role"], "operator");
    let (_, list) = get(&app, "/api/v1/users", &c).await;
    assert!(
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == person["id"]),
        "{list}"
    );

    // Now C knows them: adding the address again is a conflict, as for any member of one's own.
    let (status, again) = post(&app, "/api/v1/users", &c, add(PERSON)).await;
    assert_eq!(status, 409, "{again}");
}
