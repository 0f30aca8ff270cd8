//! Fixtures the criterion benches and the profiling examples share, so that both time the same
//! work.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a fixture that cannot be built is a failed run

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::VerifiedCacheSettings;

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
