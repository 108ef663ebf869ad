//! The panel in headless Chromium (Debian's `chromium` and `chromium-driver`, which `.ci/run` installs),
//! driven over `WebDriver` with fantoccini: what a person does, clicking and typing, on a desktop and a
//! phone-sized window.

mod customer;
mod flows;
mod session;
mod tour;

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

/// A headless Chromium with its driver; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    base: String,
    _driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium of `width`×`height`, pointed at `base` (the test
    /// app's URL).
    pub async fn start(base: &str, width: u32, height: u32) -> Self {
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chrome_bin = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{driver_bin} does not start ({e}): install Debian's chromium and chromium-driver")
            });
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        });
        let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if tokio::time::Instant::now() > deadline => {
                    panic!("chromedriver at {url} did not answer: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            _driver: driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The path of the page shown now.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Waits (up to 15 s) for an element.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let at = self.client.current_url().await.map(|u| u.to_string());
                panic!("no {css} on {at:?}: {e}\n{}", self.html().await)
            }
        }
    }

    /// Types into the input named `name` (clearing it first).
    pub async fn fill(&self, name: &str, value: &str) {
        let input = self.find(&format!("[name=\"{name}\"]")).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The page's HTML now.
    pub async fn html(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// Waits (up to 15 s) until `css`'s text contains `wanted`; panics with what it was.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let now = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if now.contains(wanted) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{css} says {now:?}, not {wanted:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the window (for `docs/screenshots/` when `PANEL_SCREENSHOTS` names a folder).
    pub async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("PANEL_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    /// Signs in through the form (without 2FA) and waits for the dashboard.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/admin/login").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click("form[data-testid=login-form] button[type=submit]")
            .await;
        self.find("[data-testid=who]").await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
