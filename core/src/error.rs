//! One error type for every decision the library makes.
//!
//! [`ErrorCode`] is the stable, machine-readable part: the same snake_case string in Rust, Python
//! and Node, with an HTTP status hint. [`Error`] adds a lowercase message that names the claim, key
//! id or value at fault and never contains a token or a secret.

use std::fmt;

/// Writes [`ErrorCode`] and every table about it (`ALL`, `as_str`, `http_status`,
/// `public_message`) from one list, so a code cannot be added to one and forgotten in another.
macro_rules! error_codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $status:literal, $public:literal;
    )*) => {
        /// Stable, machine-readable reason for a failed decision.
        ///
        /// Codes are never renamed; new codes may be added.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order (for tests and bindings that must map them all).
            pub const ALL: [ErrorCode; [$($name),*].len()] = [$(ErrorCode::$variant),*];

            /// The stable snake_case name, e.g. `token_expired`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The HTTP status a service should answer with.
            pub const fn http_status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// The fixed message an HTTP answer carries for this code. The detail of an
            /// [`Error`] (a claim, a key id, the text a store or lookup raised, which may name a
            /// database host, user or query) is for the service's log, never for the caller: see
            /// [`Error::http_response`].
            pub const fn public_message(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $public,)*
                }
            }
        }
    };
}

// Each code: its variant, its stable name, its HTTP status (401 unless the caller is known but
// refused, 403; a dependency is down, 503; the service is misconfigured, 500) and the fixed
// message an HTTP answer carries.
error_codes! {
    /// The token is not a well-formed compact JWS/JWT.
    TokenMalformed = "token_malformed", 401, "the token is malformed";
    /// The header carries a parameter the library refuses (`jku`, `x5u`, `jwk`, `x5c`, `b64`).
    ForbiddenHeader = "forbidden_header", 401, "the token's header is refused";
    /// The token exceeds the configured size cap.
    TokenTooLarge = "token_too_large", 401, "the token is too large";
    /// `exp` has passed (allowing for leeway).
    TokenExpired = "token_expired", 401, "the token has expired";
    /// `nbf` is in the future (allowing for leeway).
    TokenNotYetValid = "token_not_yet_valid", 401, "the token is not yet valid";
    /// `iat` is in the future (allowing for leeway).
    TokenIssuedInFuture = "token_issued_in_future", 401, "the token is issued in the future";
    /// The signature does not verify.
    InvalidSignature = "invalid_signature", 401, "the token's signature does not verify";
    /// The header `alg` is not in the allowlist.
    AlgorithmNotAllowed = "algorithm_not_allowed", 401, "the token's algorithm is not allowed";
    /// No usable key carries the token's `kid` for its `alg`.
    UnknownKeyId = "unknown_key_id", 401, "the token's key is unknown";
    /// `iss` is not the configured issuer.
    InvalidIssuer = "invalid_issuer", 401, "the token's issuer is not accepted";
    /// `aud` does not overlap the configured audiences.
    InvalidAudience = "invalid_audience", 401, "the token's audience is not accepted";
    /// A required claim is absent.
    MissingClaim = "missing_claim", 401, "the token lacks a required claim";
    /// A claim has the wrong type or a disallowed value.
    InvalidClaim = "invalid_claim", 401, "the token has an invalid claim";
    /// The header's `crit` names an extension the library does not understand.
    UnsupportedCriticalHeader = "unsupported_critical_header", 401,
        "the token names an unsupported critical header";
    /// The token has been revoked.
    TokenRevoked = "token_revoked", 401, "the token has been revoked";
    /// The token's `jti` is not in the allowlist.
    JtiNotFound = "jti_not_found", 401, "the token is not, or no longer, valid";
    /// The principal is authenticated but not an admin.
    NotAdmin = "not_admin", 403, "an admin is required";
    /// The principal lacks the required permission.
    PermissionDenied = "permission_denied", 403, "permission denied";
    /// No key set could be obtained (and the last good one is too old).
    JwksUnavailable = "jwks_unavailable", 503, "the signing keys are unavailable; try again later";
    /// The JTI store could not answer.
    JtiStoreUnavailable = "jti_store_unavailable", 503,
        "the token store is unavailable; try again later";
    /// A permission string is malformed.
    InvalidPermission = "invalid_permission", 500, "the service's authentication is misconfigured";
    /// The configuration is invalid.
    InvalidConfig = "invalid_config", 500, "the service's authentication is misconfigured";
    /// A key is unusable.
    InvalidKey = "invalid_key", 500, "the service's authentication is misconfigured";
    /// The request carries no credential at all.
    MissingCredentials = "missing_credentials", 401, "no credential was given";
    /// An opaque credential (admin, team or internal-service token) is not recognised.
    InvalidCredentials = "invalid_credentials", 401, "the credential is not valid";
    /// The caller-supplied team-token lookup could not answer.
    LookupUnavailable = "lookup_unavailable", 503,
        "the token lookup is unavailable; try again later";
    /// Login callback: `state` is missing, or differs from the state cookie (CSRF).
    InvalidState = "invalid_state", 401, "the login state does not match";
    /// Login callback: the ID token's `nonce` differs from the nonce cookie (replay).
    InvalidNonce = "invalid_nonce", 401, "the login nonce does not match";
    /// Login callback: the provider refused the authorization code (replayed, expired, wrong PKCE
    /// verifier) or answered without an ID token.
    CodeExchangeFailed = "code_exchange_failed", 401, "the login could not be completed";
    /// Login callback: the provider reported an error (`?error=access_denied`, ...).
    LoginDenied = "login_denied", 401, "the login was denied";
    /// The OpenID Provider could not be reached.
    ProviderUnavailable = "provider_unavailable", 503,
        "the identity provider is unavailable; try again later";
}

impl ErrorCode {
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
