//! Redis (`REDIS_URL`, or the runbook's `REDIS_HOST`/`REDIS_PORT`/`REDIS_PASSWORD`): the shared cache
//! and event bus; unset means in-process ones.

use super::Secret;
use super::vars::Vars;

pub(super) fn redis(v: &mut Vars<'_>) -> Option<Secret> {
    let url = v.raw("REDIS_URL");
    let host = v.raw("REDIS_HOST");
    let port = v.port_part("REDIS_PORT", "6379");
    let password = v.raw("REDIS_PASSWORD");
    let url = url.or_else(|| {
        host.map(|h| match &password {
            Some(p) => format!("redis://:{p}@{h}:{port}/"),
            None => format!("redis://{h}:{port}/"),
        })
    });
    if let Some(u) = &url {
        match url::Url::parse(u) {
            Ok(parsed) if matches!(parsed.scheme(), "redis" | "rediss") => {
                let mut shown = parsed.clone();
                if shown.password().is_some() {
                    let _ = shown.set_password(Some("***"));
                }
                v.show("REDIS_URL", shown.to_string());
            }
            Ok(parsed) => v.problem(
                "REDIS_URL",
                format!(
                    "unsupported scheme {:?}: use redis:// or rediss://",
                    parsed.scheme()
                ),
            ),
            Err(e) => v.problem("REDIS_URL", format!("malformed URL: {e}")),
        }
    } else {
        v.show("REDIS_URL", "(unset: in-process cache and event bus)");
    }
    url.map(Secret::new)
}
