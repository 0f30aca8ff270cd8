//! Fixtures the criterion benches and the profiling examples share, so that both time the same
//! work.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a fixture that cannot be built is a failed run

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::{
    Algorithm, KeySource, OidcConfig, OidcValidator, SigningKey, VerifiedCacheSettings,
};
use serde_json::{json, Value};

/// The instant the impersonation fixture's token is minted at (Unix seconds).
pub const MINTED_AT: i64 = 1_800_000_000;

/// An impersonation verifier with the verified-token cache off, a token of the config service's
/// claims it accepts, and an instant (ten seconds after minting) to verify it at.
pub fn impersonation_fixture() -> (ImpersonationVerifier, String, f64) {
    let mut config = ImpersonationConfig::new("bench-impersonation-secret-0123456789-abcdef");
    let signer = ImpersonationSigner::new(config.clone(), None).unwrap();
    config.verified_cache = VerifiedCacheSettings::with_overrides(Some(0.0), None).unwrap();
    let verifier = ImpersonationVerifier::new(config, None).unwrap();
    let request = ImpersonationRequest {
        org_id: "org-acme".into(),
        team_node_id: "team-payments".into(),
        subject: "okta|00u1admin".into(),
        email: Some("admin@acme.example".into()),
        ttl_seconds: Some(3600),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let token = runtime
        .block_on(signer.mint_at(&request, MINTED_AT))
        .unwrap()
        .token;
    let now = MINTED_AT as f64 + 10.0;
    assert!(verifier.verify_cached_at(&token, now).is_ok());
    (verifier, token, now)
}

/// The instant the OIDC fixture's tokens are verified at (Unix seconds).
pub const OIDC_NOW: f64 = 1_800_000_000.0;

/// An OIDC validator for one generated `alg` key (inline key set, no verified-token cache), a
/// token of a typical identity provider's claims it accepts at [`OIDC_NOW`], and the key's public
/// JWK (for the raw signature check the benches compare against).
pub fn oidc_fixture(alg: Algorithm) -> (OidcValidator, String, Value) {
    let key = SigningKey::generate(alg).unwrap().with_kid("bench");
    let jwk = key.public_jwk().unwrap();
    let config = OidcConfig::new(
        "https://idp.bench",
        "bench-audience",
        KeySource::Inline(json!({ "keys": [jwk] }).to_string()),
    )
    .with_algorithms(vec![alg]);
    let validator = OidcValidator::new(config).unwrap();
    let token = key
        .sign_claims(&json!({
            "iss": "https://idp.bench", "aud": "bench-audience", "sub": "alice",
            "email": "alice@example.com", "groups": ["incidentfox-config-admin"],
            "iat": OIDC_NOW - 10.0, "exp": OIDC_NOW + 600.0,
        }))
        .unwrap();
    assert!(validator.verify_cached_at(&token, OIDC_NOW).is_ok());
    (validator, token, jwk)
}
