//! The password policy every new password meets (a member added here, an invitation accepted, a reset).

use crate::error::FieldError;

/// The password policy: at least 10 characters, not a common password, not containing the e-mail's name.
pub fn password_problems(password: &str, email: &str) -> Vec<FieldError> {
    const COMMON: &[&str] = &[
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "password123",
        "password12",
        "1q2w3e4r5t",
        "qwerty1234",
        "0987654321",
        "1111111111",
        "administrator",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "passw0rd123",
    ];
    let mut out = Vec::new();
    if password.chars().count() < 10 {
        out.push(FieldError::new("password", "must be at least 10 characters"));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        out.push(FieldError::new("password", "is a common password"));
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 3 && lower.contains(&local) {
        out.push(FieldError::new("password", "must not contain the e-mail address"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_names_each_problem() {
        assert!(password_problems("a-long-passphrase", "x@y.uz").is_empty());
        assert_eq!(password_problems("short", "x@y.uz").len(), 1);
        assert_eq!(
            password_problems("Password123", "x@y.uz")[0].message,
            "is a common password"
        );
        assert_eq!(
            password_problems("aziz-secure-2026", "aziz@y.uz")[0].message,
            "must not contain the e-mail address"
        );
    }
}
