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

    /// The fixed message an HTTP answer carries for this code. The detail of an [`Error`] (a
    /// claim, a key id, the text a store or lookup raised, which may name a database host, user
    /// or query) is for the service's log, never for the caller: see [`Error::http_response`].
    pub const fn public_message(self) -> &'static str {
        match self {
            ErrorCode::TokenMalformed => "the token is malformed",
            ErrorCode::ForbiddenHeader => "the token's header is refused",
            ErrorCode::TokenTooLarge => "the token is too large",
            ErrorCode::TokenExpired => "the token has expired",
            ErrorCode::TokenNotYetValid => "the token is not yet valid",
            ErrorCode::TokenIssuedInFuture => "the token is issued in the future",
            ErrorCode::InvalidSignature => "the token's signature does not verify",
            ErrorCode::AlgorithmNotAllowed => "the token's algorithm is not allowed",
            ErrorCode::UnknownKeyId => "the token's key is unknown",
            ErrorCode::InvalidIssuer => "the token's issuer is not accepted",
            ErrorCode::InvalidAudience => "the token's audience is not accepted",
            ErrorCode::MissingClaim => "the token lacks a required claim",
            ErrorCode::InvalidClaim => "the token has an invalid claim",
            ErrorCode::UnsupportedCriticalHeader => {
                "the token names an unsupported critical header"
            }
            ErrorCode::TokenRevoked => "the token has been revoked",
            ErrorCode::JtiNotFound => "the token is not, or no longer, valid",
            ErrorCode::NotAdmin => "an admin is required",
            ErrorCode::PermissionDenied => "permission denied",
            ErrorCode::JwksUnavailable => "the signing keys are unavailable; try again later",
            ErrorCode::JtiStoreUnavailable => "the token store is unavailable; try again later",
            ErrorCode::InvalidPermission | ErrorCode::InvalidConfig | ErrorCode::InvalidKey => {
                "the service's authentication is misconfigured"
            }
            ErrorCode::MissingCredentials => "no credential was given",
            ErrorCode::InvalidCredentials => "the credential is not valid",
            ErrorCode::LookupUnavailable => "the token lookup is unavailable; try again later",
            ErrorCode::InvalidState => "the login state does not match",
            ErrorCode::InvalidNonce => "the login nonce does not match",
            ErrorCode::CodeExchangeFailed => "the login could not be completed",
            ErrorCode::LoginDenied => "the login was denied",
            ErrorCode::ProviderUnavailable => {
                "the identity provider is unavailable; try again later"
            }
        }
    }

    /// The HTTP answer for this code: see [`Error::http_response`].
    pub fn http_response(self) -> HttpResponse {
        let status = self.http_status();
        let mut headers = vec![("content-type", "application/json")];
        if status == 401 {
            headers.push(("www-authenticate", "Bearer"));
        }
        let body = serde_json::json!({
            "error": {
                "code": self.as_str(),
                "status": status,
                "message": self.public_message(),
            }
        });
        HttpResponse {
            status,
            headers,
            body: body.to_string(),
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

/// What a service answers a refused request with: the code's status, its headers and the JSON
/// body `{"error": {"code", "status", "message"}}` whose message is the code's fixed
/// [`ErrorCode::public_message`]. The Python and Node helpers write exactly this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status ([`ErrorCode::http_status`]).
    pub status: u16,
    /// Lowercase header names and values: `content-type: application/json`, and
    /// `www-authenticate: Bearer` on a 401.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The JSON body.
    pub body: String,
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

    /// The HTTP answer to this error for an untrusted caller: the code's status, headers and a
    /// body carrying the code and its fixed [`ErrorCode::public_message`], never
    /// [`message`](Self::message). The message may quote what a caller-supplied store or lookup
    /// raised (a database host, user, query or DSN); log it instead.
    pub fn http_response(&self) -> HttpResponse {
        self.code().http_response()
    }

    /// `{"code": ..., "status": ..., "message": ...}` — the detailed body the CLI prints
    /// (for the operator; a service answers with [`http_response`](Self::http_response)).
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

    #[test]
    fn http_responses_never_carry_the_detail() {
        let detail = "postgres://app:hunter2@db.internal:5432/auth: select jti from ifx_jti";
        for code in ErrorCode::ALL {
            let answer = Error::new(code, detail).http_response();
            assert_eq!(answer.status, code.http_status());
            assert!(!answer.body.contains("hunter2"), "{code}");
            let body: serde_json::Value =
                serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null);
            assert_eq!(
                body,
                serde_json::json!({"error": {
                    "code": code.as_str(),
                    "status": code.http_status(),
                    "message": code.public_message(),
                }}),
                "{code}"
            );
            let bearer = answer.headers.contains(&("www-authenticate", "Bearer"));
            assert_eq!(bearer, answer.status == 401, "{code}");
            assert!(answer
                .headers
                .contains(&("content-type", "application/json")));
        }
    }
}
