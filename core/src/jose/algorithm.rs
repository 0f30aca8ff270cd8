//! The signature algorithms the library knows, and what key each one needs.

use std::fmt;

/// A JWS `alg` value the library can verify.
///
/// `none` is deliberately absent: it can never be named, so it can never be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
    /// HMAC with SHA-256 (impersonation tokens only; never OIDC).
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
}

/// The kind of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `kty: RSA`.
    Rsa,
    /// `kty: EC`, `crv: P-256`.
    EcP256,
    /// `kty: EC`, `crv: P-384`.
    EcP384,
    /// `kty: OKP`, `crv: Ed25519`.
    Ed25519,
    /// `kty: oct`.
    Symmetric,
}

impl Algorithm {
    /// Every algorithm, asymmetric first.
    pub const ALL: [Algorithm; 12] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
    ];

    /// The JWS name, e.g. `RS256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
        }
    }

    /// Parses a JWS name exactly (case-sensitive, as RFC 7515 requires).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Parses every name of a configured list, exactly as [`from_name`](Self::from_name); the
    /// first name that is not a supported algorithm is `invalid_config`, naming it.
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> crate::error::Result<Vec<Algorithm>> {
        names
            .iter()
            .map(|name| {
                let name = name.as_ref();
                Algorithm::from_name(name).ok_or_else(|| {
                    crate::error::Error::new(
                        crate::error::ErrorCode::InvalidConfig,
                        format!("algorithm `{}` is not supported", crate::text::clip(name)),
                    )
                })
            })
            .collect()
    }

    /// Whether this is an HMAC algorithm (a shared secret, not a public key).
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// The key kind this algorithm requires.
    pub const fn key_kind(self) -> KeyKind {
        match self {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyKind::Rsa,
            Algorithm::ES256 => KeyKind::EcP256,
            Algorithm::ES384 => KeyKind::EcP384,
            Algorithm::EdDSA => KeyKind::Ed25519,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyKind::Symmetric,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_exact() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.as_str()), Some(alg));
        }
        assert_eq!(Algorithm::from_name("none"), None);
        assert_eq!(Algorithm::from_name("rs256"), None);
        assert_eq!(Algorithm::from_name("ES512"), None);
    }
}
