//! The admin panel as a browser without JavaScript sees it: a cookie jar, the CSRF token read from each
//! page, forms posted the way the page's `<form>` would post them. Browser tests (Chromium) live in
//! `browser.rs`; these are for everything a page answers.

use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::TestApp;

/// A signed-in (or not yet) visitor of the panel.
pub struct PanelClient {
    pub http: reqwest::Client,
    base: String,
    /// The CSRF token of the last page read (the `csrf-token` meta tag or a form's `_csrf` field).
    pub csrf: String,
}

/// A page as it came: status, `Location` of a redirect, body.
#[derive(Debug)]
pub struct PageAnswer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
}

/// The value of the first `name="<field>" value="…"` (or `name="csrf-token" content="…"`) in a page.
pub fn field_value(html: &str, field: &str) -> Option<String> {
    for needle in [
        format!("name=\"{field}\" value=\""),
        format!("name=\"{field}\" content=\""),
    ] {
        if let Some(i) = html.find(&needle) {
            let rest = &html[i + needle.len()..];
            return rest.find('"').map(|end| rest[..end].to_owned());
        }
    }
    None
}

impl PanelClient {
    /// A visitor with an empty cookie jar who does not follow redirects (tests look at them).
    pub fn new(app: &TestApp) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("http client: {e}"));
        Self {
            http,
            base: app.url(""),
            csrf: String::new(),
        }
    }

    async fn answer(&mut self, res: reqwest::Response) -> PageAnswer {
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let html = res.text().await.unwrap_or_default();
        if let Some(t) = field_value(&html, "csrf-token").or_else(|| field_value(&html, "_csrf")) {
            self.csrf = t;
        }
        PageAnswer {
            status,
            location,
            html,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> PageAnswer {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.answer(res).await
    }

    /// Posts a url-encoded form with this page's CSRF token added as `_csrf`.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> PageAnswer {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded_pairs(&all);
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.answer(res).await
    }

    /// Posts a url-encoded form exactly as given (no CSRF token added): for forged requests.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> PageAnswer {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(fields))
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.answer(res).await
    }

    /// Posts a multipart form (CSRF token first, as the pages put it), with files as
    /// `(field, file name, content type, bytes)`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> PageAnswer {
        let mut form = reqwest::multipart::Form::new().text("_csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (field, name, kind, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name((*name).to_owned())
                .mime_str(kind)
                .unwrap_or_else(|e| panic!("content type {kind}: {e}"));
            form = form.part((*field).to_owned(), part);
        }
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.answer(res).await
    }

    /// Signs in through the form (no 2FA); panics when the panel does not let the person in.
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Self {
        let mut c = Self::new(app);
        c.get("/admin/login").await;
        let a = c
            .post(
                "/admin/login",
                &[("email", email), ("password", password), ("next", "/admin")],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "sign-in of {email}: {}", a.html);
        c.get("/admin").await;
        c
    }
}

fn serde_urlencoded_pairs(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A viewer of the owner's organization (made through the API), signed in to the panel: the role that
/// reads everything and may change nothing.
pub async fn viewer(app: &TestApp, owner_token: &str) -> PanelClient {
    let (email, password) = ("viewer@panel.test", "Quiet-lamp-4821");
    let (status, body) = crate::api::post(
        app,
        "/api/v1/users",
        owner_token,
        serde_json::json!({ "email": email, "full_name": "Viewer", "password": password, "role": "viewer" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    PanelClient::sign_in(app, email, password).await
}
