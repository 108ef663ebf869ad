//! Encryption of secrets kept in the database (TOTP seeds): XChaCha20-Poly1305 with a random nonce,
//! stored as `v1:` + base64(nonce ‖ ciphertext).

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::AppError;

pub fn seal(key: &[u8; 32], plain: &[u8]) -> Result<String, AppError> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|_| AppError::internal("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(format!("v1:{}", B64.encode(out)))
}

pub fn open(key: &[u8; 32], sealed: &str) -> Result<Vec<u8>, AppError> {
    let body = sealed
        .strip_prefix("v1:")
        .ok_or_else(|| AppError::internal("unknown secret format"))?;
    let raw = B64
        .decode(body)
        .map_err(|_| AppError::internal("secret is not base64"))?;
    if raw.len() < 24 {
        return Err(AppError::internal("secret too short"));
    }
    let (nonce, ct) = raw.split_at(24);
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), ct)
        .map_err(|_| AppError::internal("secret cannot be decrypted (ENCRYPTION_KEY changed?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_the_key_only() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains("JBSWY3DP"));
        assert_eq!(open(&key, &sealed).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert!(open(&[8u8; 32], &sealed).is_err());
        assert_ne!(
            seal(&key, b"x").unwrap(),
            seal(&key, b"x").unwrap(),
            "random nonce"
        );
    }
}
