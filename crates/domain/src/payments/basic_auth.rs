//! HTTP Basic credentials as providers send them (Payme `Paycom:<key>`, Uzum `<login>:<password>`),
//! compared whole and in constant time (PROTOCOLS.md §1.1, §1.6 "Pitfalls", §3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;

/// Whether `header` (the `Authorization` value) is `Basic base64(expected)`. The decoded `login:password`
/// string is compared with `expected` as a whole, in constant time; a missing header, another scheme or
/// bad base64 is not authorized.
pub fn basic_matches(header: Option<&str>, expected: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
    let header = header.trim();
    let Some((scheme, encoded)) = header.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded.ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(s: &str) -> String {
        format!("Basic {}", STANDARD.encode(s))
    }

    #[test]
    fn only_the_whole_login_and_password_match() {
        assert!(basic_matches(Some(&basic("Paycom:k3y")), "Paycom:k3y"));
        assert!(basic_matches(
            Some(&format!("basic  {}", STANDARD.encode("a:b"))),
            "a:b"
        ));
        assert!(!basic_matches(Some(&basic("Other:k3y")), "Paycom:k3y"));
        assert!(!basic_matches(Some(&basic("Paycom:k3y2")), "Paycom:k3y"));
        assert!(!basic_matches(Some(&basic("Paycom:k3")), "Paycom:k3y"));
        assert!(!basic_matches(Some("Bearer abc"), "Paycom:k3y"));
        assert!(!basic_matches(Some("Basic %%%"), "Paycom:k3y"));
        assert!(!basic_matches(None, "Paycom:k3y"));
    }
}
