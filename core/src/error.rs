//! One error type for every decision the library makes.
//!
//! [`ErrorCode`] is the stable, machine-readable part: the same snake_case string in Rust, Python
//! and Node, with an HTTP status hint. [`Error`] adds a lowercase message that names the claim, key
//! id or value at fault and never contains a token or a secret.

use std::fmt;

/// Stable, machine-readable reason for a failed decision.
///
/// Codes are never renamed; new codes may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The token is not a well-formed compact JWS/JWT.
    TokenMalformed,
    /// The header carries a parameter the library refuses (`jku`, `x5u`, `jwk`, `x5c`, `b64`).
    ForbiddenHeader,
    /// The token exceeds the configured size cap.
    TokenTooLarge,
    /// `exp` has passed (allowing for leeway).
    TokenExpired,
    /// `nbf` is in the future (allowing for leeway).
    TokenNotYetValid,
    /// `iat` is in the future (allowing for leeway).
    TokenIssuedInFuture,
    /// The signature does not verify.
    InvalidSignature,
    /// The header `alg` is not in the allowlist.
    AlgorithmNotAllowed,
    /// No usable key carries the token's `kid` for its `alg`.
    UnknownKeyId,
    /// `iss` is not the configured issuer.
    InvalidIssuer,
    /// `aud` does not overlap the configured audiences.
    InvalidAudience,
    /// A required claim is absent.
    MissingClaim,
    /// A claim has the wrong type or a disallowed value.
    InvalidClaim,
    /// The header's `crit` names an extension the library does not understand.
    UnsupportedCriticalHeader,
    /// The token has been revoked.
    TokenRevoked,
    /// The token's `jti` is not in the allowlist.
    JtiNotFound,
    /// The principal is authenticated but not an admin.
    NotAdmin,
    /// The principal lacks the required permission.
    PermissionDenied,
    /// No key set could be obtained (and the last good one is too old).
    JwksUnavailable,
    /// The JTI store could not answer.
    JtiStoreUnavailable,
    /// A permission string is malformed.
    InvalidPermission,
    /// The configuration is invalid.
    InvalidConfig,
    /// A key is unusable.
    InvalidKey,
    /// The request carries no credential at all.
    MissingCredentials,
    /// An opaque credential (admin, team or internal-service token) is not recognised.
    InvalidCredentials,
    /// The caller-supplied team-token lookup could not answer.
    LookupUnavailable,
    /// Login callback: `state` is missing, or differs from the state cookie (CSRF).
    InvalidState,
    /// Login callback: the ID token's `nonce` differs from the nonce cookie (replay).
    InvalidNonce,
    /// Login callback: the provider refused the authorization code (replayed, expired, wrong PKCE
    /// verifier) or answered without an ID token.
    CodeExchangeFailed,
    /// Login callback: the provider reported an error (`?error=access_denied`, ...).
    LoginDenied,
    /// The OpenID Provider could not be reached.
    ProviderUnavailable,
}

impl ErrorCode {
    /// Every code, in declaration order (for tests and bindings that must map them all).
    pub const ALL: [ErrorCode; 31] = [
        ErrorCode::TokenMalformed,
        ErrorCode::ForbiddenHeader,
        ErrorCode::TokenTooLarge,
        ErrorCode::TokenExpired,
        ErrorCode::TokenNotYetValid,
        ErrorCode::TokenIssuedInFuture,
        ErrorCode::InvalidSignature,
        ErrorCode::AlgorithmNotAllowed,
        ErrorCode::UnknownKeyId,
        ErrorCode::InvalidIssuer,
        ErrorCode::InvalidAudience,
        ErrorCode::MissingClaim,
        ErrorCode::InvalidClaim,
        ErrorCode::UnsupportedCriticalHeader,
        ErrorCode::TokenRevoked,
        ErrorCode::JtiNotFound,
        ErrorCode::NotAdmin,
        ErrorCode::PermissionDenied,
        ErrorCode::JwksUnavailable,
        ErrorCode::JtiStoreUnavailable,
        ErrorCode::InvalidPermission,
        ErrorCode::InvalidConfig,
        ErrorCode::InvalidKey,
        ErrorCode::MissingCredentials,
        ErrorCode::InvalidCredentials,
        ErrorCode::LookupUnavailable,
        ErrorCode::InvalidState,
        ErrorCode::InvalidNonce,
        ErrorCode::CodeExchangeFailed,
        ErrorCode::LoginDenied,
        ErrorCode::ProviderUnavailable,
    ];

    /// The stable snake_case name, e.g. `token_expired`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::TokenMalformed => "token_malformed",
            ErrorCode::ForbiddenHeader => "forbidden_header",
            ErrorCode::TokenTooLarge => "token_too_large",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::TokenIssuedInFuture => "token_issued_in_future",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::AlgorithmNotAllowed => "algorithm_not_allowed",
            ErrorCode::UnknownKeyId => "unknown_key_id",
            ErrorCode::InvalidIssuer => "invalid_issuer",
            ErrorCode::InvalidAudience => "invalid_audience",
            ErrorCode::MissingClaim => "missing_claim",
            ErrorCode::InvalidClaim => "invalid_claim",
            ErrorCode::UnsupportedCriticalHeader => "unsupported_critical_header",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::JtiNotFound => "jti_not_found",
            ErrorCode::NotAdmin => "not_admin",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::JwksUnavailable => "jwks_unavailable",
            ErrorCode::JtiStoreUnavailable => "jti_store_unavailable",
            ErrorCode::InvalidPermission => "invalid_permission",
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::MissingCredentials => "missing_credentials",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::LookupUnavailable => "lookup_unavailable",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::InvalidNonce => "invalid_nonce",
            ErrorCode::CodeExchangeFailed => "code_exchange_failed",
            ErrorCode::LoginDenied => "login_denied",
            ErrorCode::ProviderUnavailable => "provider_unavailable",
        }
    }

    /// The HTTP status a service should answer with.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::NotAdmin | ErrorCode::PermissionDenied => 403,
            ErrorCode::JwksUnavailable
            | ErrorCode::JtiStoreUnavailable
            | ErrorCode::LookupUnavailable
            | ErrorCode::ProviderUnavailable => 503,
            ErrorCode::InvalidPermission | ErrorCode::InvalidConfig | ErrorCode::InvalidKey => 500,
            _ => 401,
        }
    }

    /// Parses a snake_case name back into a code.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed decision: a stable [`ErrorCode`] plus a message for humans.
///
/// Boxed so that `Result<T, Error>` stays one pointer wide on the happy path.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Builds an error. The message must not contain a token or secret.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            code,
            message: message.into(),
        }))
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The human-readable message (lowercase, no token, no secret).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The HTTP status hint of the code.
    pub fn http_status(&self) -> u16 {
        self.0.code.http_status()
    }

    /// `{"code": ..., "status": ..., "message": ...}` — the body services and the CLI print.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code().as_str(),
            "status": self.http_status(),
            "message": self.message(),
        })
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.0.code, self.0.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand constructor used inside the crate.
pub(crate) fn err(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
    }

    #[test]
    fn statuses_follow_the_contract() {
        assert_eq!(ErrorCode::TokenExpired.http_status(), 401);
        assert_eq!(ErrorCode::NotAdmin.http_status(), 403);
        assert_eq!(ErrorCode::JwksUnavailable.http_status(), 503);
        assert_eq!(ErrorCode::InvalidConfig.http_status(), 500);
    }
}
