//! Impersonation (HS256) verification in the core, with the verified-token cache off: the work
//! behind Node's `verifySync` and Python's `verify_cached` of a new token: the Rust figure of the
//! HS256 row of `make bench-compare`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::VerifiedCacheSettings;
use std::hint::black_box;

const NOW: i64 = 1_800_000_000;

fn impersonation(c: &mut Criterion) {
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
        .block_on(signer.mint_at(&request, NOW))
        .unwrap()
        .token;
    let now = NOW as f64 + 10.0;
    assert!(verifier.verify_cached_at(&token, now).is_ok());
    // The group and name match verify.rs's rows, so `make bench-compare` reads this as the Rust
    // figure of the HS256 row (an impersonation token of the config service's claims).
    let mut group = c.benchmark_group("HS256");
    group.bench_function("incidentfox-auth verify", |b| {
        b.iter(|| verifier.verify_cached_at(black_box(&token), now).unwrap())
    });
    group.finish();
}

criterion_group!(benches, impersonation);
criterion_main!(benches);
