//! Cookie sessions for the server-rendered admin panel: the session cookie's attributes (`HttpOnly`,
//! `Secure` in production, `SameSite=Lax`) and CSRF tokens for form posts, bound to the session by an HMAC.

use axum::http::HeaderValue;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "vh_session";
pub const CSRF_FIELD: &str = "_csrf";

/// `Set-Cookie` for the session: not readable by scripts, only over HTTPS in production, not sent on
/// cross-site sub-requests.
pub fn session_cookie(value: &str, production: bool, max_age_secs: u64) -> Option<HeaderValue> {
    cookie(SESSION_COOKIE, value, production, max_age_secs)
}

/// `Set-Cookie` of a plain cookie (`HttpOnly`, `SameSite=Lax`, `Secure` in production).
pub fn cookie(name: &str, value: &str, production: bool, max_age_secs: u64) -> Option<HeaderValue> {
    let secure = if production { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .ok()
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub fn read(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(production: bool) -> Option<HeaderValue> {
    session_cookie("", production, 0)
}

fn mac(secret: &[u8], session_id: &str) -> Hmac<Sha256> {
    let mut m =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("any key length"));
    m.update(b"vendhub-csrf-v1:");
    m.update(session_id.as_bytes());
    m
}

/// The CSRF token of a session (put into every form as `_csrf`).
pub fn csrf_token(secret: &[u8], session_id: &str) -> String {
    hex::encode(mac(secret, session_id).finalize().into_bytes())
}

/// Whether a submitted token belongs to this session (constant-time).
pub fn csrf_valid(secret: &[u8], session_id: &str, submitted: &str) -> bool {
    let expected = csrf_token(secret, session_id);
    expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_lax_and_secure_in_production() {
        let dev = session_cookie("abc", false, 3600).unwrap();
        let dev = dev.to_str().unwrap();
        assert!(dev.contains("HttpOnly") && dev.contains("SameSite=Lax") && !dev.contains("Secure"));
        let prod = session_cookie("abc", true, 3600).unwrap();
        assert!(prod.to_str().unwrap().ends_with("; Secure"));
        assert!(
            clear_session_cookie(true)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn a_csrf_token_is_bound_to_its_session() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let t = csrf_token(secret, "session-1");
        assert!(csrf_valid(secret, "session-1", &t));
        assert!(!csrf_valid(secret, "session-2", &t));
        assert!(!csrf_valid(b"another-secret-another-secret-00", "session-1", &t));
        assert!(!csrf_valid(secret, "session-1", ""));
    }
}
