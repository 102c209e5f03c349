//! Signing requests between workers (KIP-507): under the `sessioned` protocol the leader keeps
//! a session key in the config topic, and a worker sending task configs to the leader signs
//! the request body with it, so that the internal endpoint needs no user credentials and
//! accepts nothing unsigned.
//!
//! The signature is the base64 HMAC-SHA256 of the body, in the `X-Connect-Authorization`
//! header, with the algorithm's Java name in `X-Connect-Request-Signature-Algorithm`, as
//! Apache Kafka Connect's `InternalRequestSignature`. Only `HmacSHA256` is implemented (Kafka's
//! default).
//!
//! ```
//! use connect_runtime::distributed::signature::{self, SignatureError};
//!
//! let key = signature::new_session_key(256, 1_700_000_000_000)?;
//! let signed = signature::sign(&key, br#"[{"task.class":"X"}]"#)?;
//! assert!(signature::verify(&key, Some(&signed), br#"[{"task.class":"X"}]"#).is_ok());
//! assert_eq!(
//!     signature::verify(&key, Some(&signed), b"[]"),
//!     Err(SignatureError::Invalid)
//! );
//! # Ok::<(), SignatureError>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::config_store::SessionKey;

/// The header holding the signature.
pub const SIGNATURE_HEADER: &str = "X-Connect-Authorization";
/// The header naming the signature's algorithm.
pub const ALGORITHM_HEADER: &str = "X-Connect-Request-Signature-Algorithm";
/// The one algorithm implemented, by its Java name.
pub const HMAC_SHA256: &str = "HmacSHA256";

/// A request's signature and its algorithm, as the headers carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The algorithm's Java name.
    pub algorithm: String,
    /// The base64 MAC of the body.
    pub signature: String,
}

/// Why a key could not be made or a request not be signed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request carries no signature.
    #[error("Internal request missing required signature")]
    Missing,
    /// The signature does not match the body and this worker's session key.
    #[error("Internal request contained invalid signature.")]
    Invalid,
    /// Another algorithm than this worker's.
    #[error(
        "This worker does not support the '{0}' key signing algorithm used by other workers. This worker is currently configured to use: {HMAC_SHA256}. Check that all workers' configuration files permit the same set of signature algorithms, and correct any misconfigured worker and restart it."
    )]
    UnsupportedAlgorithm(String),
    /// This worker has not read a session key yet.
    #[error(
        "This worker is still starting up and has not been able to read a session key from the config topic yet"
    )]
    NoKey,
    /// The session key cannot be used (not base64, or of an unknown algorithm).
    #[error("the session key cannot be used: {0}")]
    Key(String),
}

/// A new random session key of `bits` bits created at `now_ms`.
///
/// # Errors
///
/// When `bits` is not a positive multiple of 8 or the system has no randomness.
pub fn new_session_key(bits: u32, now_ms: i64) -> Result<SessionKey, SignatureError> {
    if bits == 0 || !bits.is_multiple_of(8) {
        return Err(SignatureError::Key(format!(
            "a key of {bits} bits: the size must be a positive multiple of 8"
        )));
    }
    let mut bytes = vec![0u8; (bits / 8) as usize];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SignatureError::Key("no randomness available".into()))?;
    Ok(SessionKey {
        key: STANDARD.encode(&bytes),
        algorithm: HMAC_SHA256.to_owned(),
        creation_timestamp: now_ms,
    })
}

fn mac_key(key: &SessionKey) -> Result<hmac::Key, SignatureError> {
    if key.algorithm != HMAC_SHA256 {
        return Err(SignatureError::Key(format!(
            "its algorithm {} is not {HMAC_SHA256}",
            key.algorithm
        )));
    }
    let bytes = STANDARD
        .decode(&key.key)
        .map_err(|e| SignatureError::Key(format!("not base64: {e}")))?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
}

/// Signs `body` with `key`.
///
/// # Errors
///
/// When the key cannot be used.
pub fn sign(key: &SessionKey, body: &[u8]) -> Result<Signature, SignatureError> {
    let tag = hmac::sign(&mac_key(key)?, body);
    Ok(Signature {
        algorithm: HMAC_SHA256.to_owned(),
        signature: STANDARD.encode(tag.as_ref()),
    })
}

/// Checks that `signature` signs `body` with `key`.
///
/// # Errors
///
/// [`SignatureError::Missing`], [`SignatureError::UnsupportedAlgorithm`],
/// [`SignatureError::Invalid`], or [`SignatureError::Key`] when this worker's key cannot be
/// used.
pub fn verify(
    key: &SessionKey,
    signature: Option<&Signature>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let signature = signature.ok_or(SignatureError::Missing)?;
    if signature.algorithm != HMAC_SHA256 {
        return Err(SignatureError::UnsupportedAlgorithm(
            signature.algorithm.clone(),
        ));
    }
    let tag = STANDARD
        .decode(&signature.signature)
        .map_err(|_| SignatureError::Invalid)?;
    hmac::verify(&mac_key(key)?, body, &tag).map_err(|_| SignatureError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_key_and_body_give_the_rfc_4231_mac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let key = SessionKey {
            key: STANDARD.encode(b"Jefe"),
            algorithm: HMAC_SHA256.into(),
            creation_timestamp: 0,
        };
        let signed = sign(&key, b"what do ya want for nothing?").unwrap();
        let hex: String = STANDARD
            .decode(&signed.signature)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(signed.algorithm, "HmacSHA256");
    }

    #[test]
    fn verification_names_each_failure() {
        let key = new_session_key(256, 1).unwrap();
        assert_eq!(STANDARD.decode(&key.key).unwrap().len(), 32);
        let other = new_session_key(256, 2).unwrap();
        let body = b"[]";
        let signed = sign(&key, body).unwrap();
        assert_eq!(verify(&key, Some(&signed), body), Ok(()));
        assert_eq!(verify(&key, None, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(&other, Some(&signed), body),
            Err(SignatureError::Invalid)
        );
        let sha512 = Signature {
            algorithm: "HmacSHA512".into(),
            ..signed.clone()
        };
        assert!(matches!(
            verify(&key, Some(&sha512), body),
            Err(SignatureError::UnsupportedAlgorithm(a)) if a == "HmacSHA512"
        ));
        let garbled = Signature {
            signature: "not base64!".into(),
            ..signed
        };
        assert_eq!(
            verify(&key, Some(&garbled), body),
            Err(SignatureError::Invalid)
        );
        assert!(new_session_key(12, 0).is_err());
    }
}
