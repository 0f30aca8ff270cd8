//! Secrets held in memory: never printed, compared in constant time.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{digest, SHA256};
use std::fmt;

/// Shortest configured secret accepted, in bytes (the impersonation HS256 key, the break-glass
/// admin token, the internal-service secret): 256 bits, HS256's own key size.
pub const MIN_SECRET_BYTES: usize = 32;

/// The one legacy opt-out that lets a shorter impersonation secret or admin token start, for
/// deployments that cannot rotate at once. `check-config` reports each short secret it admits as a
/// problem all the same.
pub const ALLOW_SHORT_SECRETS_ENV_VAR: &str = "AUTH_ALLOW_SHORT_SECRETS";

/// A configured secret (an admin token, a shared service secret, a signing secret).
///
/// `Debug` prints `Secret(<redacted>)`; there is no `Display`. Comparison digests both sides
/// first, so neither the content nor the length of the secret leaks through timing.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Secret(value.into())
    }

    /// Whether `candidate` equals the secret, in time independent of where they differ.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let expected = digest(&SHA256, &self.0);
        let presented = digest(&SHA256, candidate);
        verify_slices_are_equal(expected.as_ref(), presented.as_ref()).is_ok()
    }

    /// The secret's bytes, for the code that must use it (a MAC key, a pepper).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_value() {
        let s = Secret::new("correct horse");
        assert!(s.matches(b"correct horse"));
        assert!(!s.matches(b"correct hors"));
        assert!(!s.matches(b"correct horse "));
        assert!(!s.matches(b""));
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
    }
}
