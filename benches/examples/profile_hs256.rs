//! A loop of impersonation (HS256) verifications for a profiler: `perf record` this binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::VerifiedCacheSettings;
use std::hint::black_box;

fn main() {
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
    let now = 1_800_000_000;
    let token = runtime
        .block_on(signer.mint_at(&request, now))
        .unwrap()
        .token;
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(
            verifier
                .verify_cached_at(black_box(&token), now as f64 + 10.0)
                .unwrap(),
        );
    }
    let per = started.elapsed().as_secs_f64() / rounds as f64;
    println!("{:.3} µs per verification", per * 1e6);
}
