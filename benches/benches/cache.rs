//! A verified-token cache hit: repeat verification of the same token (target ≥ 1,000,000/s).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{Algorithm, KeySource, OidcConfig, OidcValidator, SigningKey};
use serde_json::json;
use std::hint::black_box;

/// A validator trusting one fresh `alg` key, and a valid admin token under it.
fn validator_and_token(alg: Algorithm) -> (OidcValidator, String) {
    let key = SigningKey::generate(alg).unwrap().with_kid("k");
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let validator = OidcValidator::new(
        OidcConfig::new(
            "https://idp.bench",
            "bench-audience",
            KeySource::Inline(jwks),
        )
        .with_algorithms(vec![alg]),
    )
    .unwrap();
    let now = unix_now();
    let token = key
        .sign_claims(&json!({
            "iss": "https://idp.bench", "aud": "bench-audience", "sub": "alice",
            "email": "alice@example.com", "groups": ["incidentfox-config-admin"],
            "iat": now, "exp": now + 3600.0,
        }))
        .unwrap();
    validator.verify_cached(&token).unwrap();
    (validator, token)
}

fn bench(c: &mut Criterion) {
    let (validator, token) = validator_and_token(Algorithm::RS256);
    // The floor of a hit: the cache key is the SHA-256 of the whole token (634 bytes here).
    c.bench_function("sha256 of the token (cache key)", |b| {
        b.iter(|| {
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(token.as_bytes()))
        })
    });
    c.bench_function("verified cache hit (RS256 token)", |b| {
        b.iter(|| validator.verify_cached(black_box(&token)).unwrap())
    });
    // A hit keeps only the verdict; the claims are parsed again from the token when first read.
    c.bench_function("verified cache hit, identity read (RS256 token)", |b| {
        b.iter(|| {
            let verified = validator.verify_cached(black_box(&token)).unwrap();
            black_box(verified.identity().groups.len())
        })
    });
    // What the counters cost: the same hit with every counter in the process switched off.
    incidentfox_auth::observe::set_counting(false);
    c.bench_function("verified cache hit (RS256 token), counting off", |b| {
        b.iter(|| validator.verify_cached(black_box(&token)).unwrap())
    });
    incidentfox_auth::observe::set_counting(true);
    // A shorter token (a 64-byte signature, about 400 bytes in all) hashes in less time.
    let (validator, token) = validator_and_token(Algorithm::ES256);
    c.bench_function("verified cache hit (ES256 token)", |b| {
        b.iter(|| validator.verify_cached(black_box(&token)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
