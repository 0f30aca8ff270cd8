//! The size cap comes first on every path a credential takes: an oversized credential is
//! `token_too_large` whatever else is wrong with it, and it never reaches a key fetch, a team-token
//! lookup or the issuer peek that picks a verifier.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/jwks_server.rs"]
mod jwks_server;

use async_trait::async_trait;
use incidentfox_auth::impersonation::{ImpersonationConfig, ImpersonationVerifier};
use incidentfox_auth::jose::b64;
use incidentfox_auth::team_tokens::StoredTeamToken;
use incidentfox_auth::team_tokens::TeamTokenLookup;
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{
    AdminAuthenticator, Algorithm, AuthMode, Authenticator, Credentials, ErrorCode, JwksSettings,
    KeySource, OidcConfig, OidcValidator, ParsedTeamToken, SigningKey, TokenPepper,
};
use jwks_server::JwksServer;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The default cap of every path.
const CAP: usize = 16 * 1024;

fn code<T: std::fmt::Debug>(outcome: incidentfox_auth::Result<T>) -> ErrorCode {
    outcome.unwrap_err().code()
}

/// A JWT of exactly `len` bytes: a header naming `kid` and `alg`, a payload naming `iss`, and a
/// signature of filler (so it never verifies).
fn jwt_of_len(alg: &str, kid: &str, iss: &str, len: usize) -> String {
    let header = b64::encode(json!({"alg": alg, "kid": kid}).to_string());
    let payload = b64::encode(json!({"iss": iss, "sub": "x"}).to_string());
    let head = format!("{header}.{payload}.");
    assert!(head.len() < len);
    format!("{head}{}", "A".repeat(len - head.len()))
}

/// Counts lookups; finds nothing.
#[derive(Debug, Default)]
struct CountingLookup(AtomicU64);

#[async_trait]
impl TeamTokenLookup for CountingLookup {
    async fn lookup(&self, _: &str) -> incidentfox_auth::Result<Option<StoredTeamToken>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(None)
    }
}

fn remote_validator(server: &JwksServer) -> OidcValidator {
    OidcValidator::new(
        OidcConfig::new(server.base_url(), "api", KeySource::Url(server.jwks_url()))
            .with_algorithms(vec![Algorithm::ES256])
            .with_jwks_settings(JwksSettings::default()),
    )
    .unwrap()
}

#[tokio::test]
async fn oidc_an_oversized_token_with_an_unknown_kid_never_drives_a_fetch() {
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let server = JwksServer::start(&json!({"keys": [key.public_jwk()]})).await;
    let v = remote_validator(&server);
    let oversized = jwt_of_len("ES256", "no-such-kid", &server.base_url(), CAP + 1);
    // Cold cache: the first verification would otherwise fetch the set.
    assert_eq!(code(v.verify(&oversized).await), ErrorCode::TokenTooLarge);
    assert_eq!(
        code(v.verify_at(&oversized, unix_now()).await),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(code(v.verify_cached(&oversized)), ErrorCode::TokenTooLarge);
    assert!(v.verify_hit(&oversized).is_none());
    assert_eq!(
        server.jwks_hits(),
        0,
        "an oversized token drove a key fetch"
    );
    assert_eq!(v.jwks_cache().unwrap().fetch_count(), 0);

    // Warm cache: an unknown kid would trigger a refetch; an oversized one does not.
    v.jwks_cache().unwrap().prefetch().await.unwrap();
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(code(v.verify(&oversized).await), ErrorCode::TokenTooLarge);
    assert_eq!(
        code(v.verify_at(&oversized, unix_now()).await),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(server.jwks_hits(), 1, "an oversized token drove a refetch");
    // One byte less is read: its unknown kid does make the validator look again.
    let at_cap = jwt_of_len("ES256", "no-such-kid", &server.base_url(), CAP);
    assert_ne!(code(v.verify(&at_cap).await), ErrorCode::TokenTooLarge);
}

#[tokio::test]
async fn oidc_the_configured_cap_is_the_one_applied_first() {
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let v = OidcValidator::new(
        OidcConfig::new("https://idp.test", "api", KeySource::Inline(jwks))
            .with_algorithms(vec![Algorithm::ES256])
            .with_max_token_bytes(100),
    )
    .unwrap();
    // Malformed (four parts, `alg: none`) and over 100 bytes: the size is what is reported.
    let bad = format!("{}.a.b.c", "x".repeat(120));
    assert_eq!(code(v.verify(&bad).await), ErrorCode::TokenTooLarge);
    assert_eq!(code(v.verify_cached(&bad)), ErrorCode::TokenTooLarge);
    assert_eq!(
        code(v.verify_cached_at(&bad, 0.0)),
        ErrorCode::TokenTooLarge
    );
    let none = jwt_of_len("none", "k1", "https://idp.test", 101);
    assert_eq!(code(v.verify(&none).await), ErrorCode::TokenTooLarge);
    let e = v.verify(&none).await.unwrap_err();
    assert!(e.message().contains("101 bytes") && e.message().contains("100-byte"));
    assert!(
        !e.message().contains(&none[..20]),
        "the message quotes the token"
    );
}

#[tokio::test]
async fn impersonation_an_oversized_token_is_too_large_before_anything_else() {
    let verifier = ImpersonationVerifier::new(
        ImpersonationConfig::new("size-cap-secret-0123456789abcdef"),
        None,
    )
    .unwrap();
    // Wrong algorithm, bad signature, not even the impersonation issuer: still too large.
    let oversized = jwt_of_len("RS256", "k", "someone-else", CAP + 1);
    assert_eq!(
        code(verifier.verify(&oversized).await),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(
        code(verifier.verify_cached(&oversized)),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(
        code(verifier.verify_cached_at(&oversized, unix_now())),
        ErrorCode::TokenTooLarge
    );
    assert!(verifier.verify_hit(&oversized).is_none());
    let garbage = "!".repeat(CAP + 1);
    assert_eq!(
        code(verifier.verify_cached(&garbage)),
        ErrorCode::TokenTooLarge
    );
    // At the cap the token is read, and refused for what it is.
    let at_cap = jwt_of_len("RS256", "k", "someone-else", CAP);
    assert_ne!(
        code(verifier.verify_cached(&at_cap)),
        ErrorCode::TokenTooLarge
    );
}

#[test]
fn team_token_parsing_checks_the_size_first() {
    // Three dots and no hex id: malformed twice over, but oversized first.
    let oversized = format!("{}.x.y.z", "Q".repeat(CAP));
    assert_eq!(
        code(ParsedTeamToken::parse(&oversized)),
        ErrorCode::TokenTooLarge
    );
    let one_dot = format!("{}.{}", "0".repeat(32), "A".repeat(CAP));
    assert_eq!(
        code(ParsedTeamToken::parse(&one_dot)),
        ErrorCode::TokenTooLarge
    );
    let at_cap = format!("{}.{}", "0".repeat(32), "A".repeat(CAP - 33));
    assert_eq!(
        code(ParsedTeamToken::parse(&at_cap)),
        ErrorCode::TokenMalformed
    );
}

/// An authenticator with every path on: admin token, OIDC (remote, against `server`),
/// impersonation, team tokens through `lookup`, the internal-service secret.
fn authenticator(server: &JwksServer, lookup: Arc<CountingLookup>) -> Authenticator {
    let admin = AdminAuthenticator::builder()
        .mode(AuthMode::Both)
        .admin_token(incidentfox_auth::Secret::new(
            "break-glass-admin-token-0123456789abcdef",
        ))
        .oidc(Arc::new(remote_validator(server)))
        .internal_service(
            incidentfox_auth::authenticate::InternalService::new(
                incidentfox_auth::Secret::new("internal-service-secret-0123456789abcdef"),
                vec![],
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    Authenticator::new(admin)
        .with_team_mode(AuthMode::Both)
        .with_impersonation(
            ImpersonationVerifier::new(
                ImpersonationConfig::new("size-cap-secret-0123456789abcdef"),
                None,
            )
            .unwrap(),
        )
        .with_team_token_lookup(lookup)
        .with_pepper(TokenPepper::new("pepper").unwrap())
}

#[tokio::test]
async fn authenticate_checks_the_size_before_dispatching_anywhere() {
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let server = JwksServer::start(&json!({"keys": [key.public_jwk()]})).await;
    let lookup = Arc::new(CountingLookup::default());
    let auth = authenticator(&server, lookup.clone());
    let oversized = [
        // An OIDC token with an unknown kid (would fetch the set).
        jwt_of_len("ES256", "no-such-kid", &server.base_url(), CAP + 1),
        // An impersonation token (would be routed by its peeked issuer).
        jwt_of_len("HS256", "k", "incidentfox-config-service", CAP + 1),
        // A team token shape (would be looked up).
        format!("{}.{}", "0".repeat(32), "A".repeat(CAP)),
        // An opaque admin token, and something of no known shape.
        "a".repeat(CAP + 1),
        format!("{}.....", "a".repeat(CAP)),
    ];
    for token in &oversized {
        for credentials in [
            Credentials::bearer(token.clone()),
            Credentials::from_headers([("X-Admin-Token", token.as_str())]),
            Credentials::from_headers([("X-IncidentFox-Team-Token", token.as_str())]),
        ] {
            assert_eq!(
                code(auth.authenticate(&credentials).await),
                ErrorCode::TokenTooLarge
            );
            assert_eq!(
                code(auth.authenticate_at(&credentials, unix_now()).await),
                ErrorCode::TokenTooLarge
            );
            assert!(auth.authenticate_hit(&credentials).is_none());
        }
        assert_eq!(
            code(auth.admin().authenticate(token).await),
            ErrorCode::TokenTooLarge
        );
        assert_eq!(
            code(auth.admin().authenticate_cached_at(token, unix_now())),
            ErrorCode::TokenTooLarge
        );
    }
    let internal =
        Credentials::from_headers([("X-Internal-Service", "s".repeat(CAP + 1).as_str())]);
    assert_eq!(
        code(auth.authenticate(&internal).await),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(
        server.jwks_hits(),
        0,
        "an oversized credential drove a key fetch"
    );
    assert_eq!(
        lookup.0.load(Ordering::SeqCst),
        0,
        "an oversized credential was looked up"
    );

    // Under the cap each path is taken as before.
    let team = format!("{}.{}", "0".repeat(32), b64::encode([7u8; 32]));
    assert_eq!(
        code(auth.authenticate(&Credentials::bearer(team)).await),
        ErrorCode::InvalidCredentials
    );
    assert_eq!(lookup.0.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_larger_oidc_cap_raises_the_dispatch_cap_for_oidc_only() {
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let big = 4 * CAP;
    let validator = OidcValidator::new(
        OidcConfig::new("https://idp.test", "api", KeySource::Inline(jwks))
            .with_algorithms(vec![Algorithm::ES256])
            .with_max_token_bytes(big),
    )
    .unwrap();
    let admin = AdminAuthenticator::builder()
        .mode(AuthMode::Oidc)
        .oidc(Arc::new(validator))
        .build()
        .unwrap();
    let lookup = Arc::new(CountingLookup::default());
    let auth = Authenticator::new(admin)
        .with_team_token_lookup(lookup.clone())
        .with_pepper(TokenPepper::new("pepper").unwrap());
    // An OIDC token between the default and the configured cap reaches the validator...
    let oidc = jwt_of_len("ES256", "k1", "https://idp.test", 2 * CAP);
    assert_eq!(
        code(auth.authenticate(&Credentials::bearer(oidc)).await),
        ErrorCode::InvalidSignature
    );
    // ...a team token of that size is still refused by its own cap, before any lookup.
    let team = format!("{}.{}", "0".repeat(32), "A".repeat(2 * CAP));
    assert_eq!(
        code(auth.authenticate(&Credentials::bearer(team)).await),
        ErrorCode::TokenTooLarge
    );
    assert_eq!(lookup.0.load(Ordering::SeqCst), 0);
    let over = jwt_of_len("ES256", "k1", "https://idp.test", big + 1);
    assert_eq!(
        code(auth.authenticate(&Credentials::bearer(over)).await),
        ErrorCode::TokenTooLarge
    );
}
