//! How much resident memory 100,000 cached verified tokens take (Linux). A measurement, not a
//! test: run with `cargo run --release -p incidentfox-auth-benches --example cache_memory`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::time::unix_now;
use incidentfox_auth::{Algorithm, KeySource, OidcConfig, OidcValidator, SigningKey};
use serde_json::json;

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn main() {
    let key = SigningKey::hmac(Algorithm::HS256, b"x").ok();
    drop(key);
    let signer = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("k");
    let jwks = json!({"keys": [signer.public_jwk()]}).to_string();
    let validator = OidcValidator::new(
        OidcConfig::new(
            "https://idp.example.com",
            "incidentfox-config-service",
            KeySource::Inline(jwks),
        )
        .with_algorithms(vec![Algorithm::EdDSA]),
    )
    .unwrap();
    let now = unix_now();
    // Realistic admin tokens: issuer, audience, subject, email, groups, times, jti.
    let tokens: Vec<String> = (0..100_000)
        .map(|i| {
            signer
                .sign_claims(&json!({
                    "iss": "https://idp.example.com", "aud": "incidentfox-config-service",
                    "sub": format!("user-{i:08}"), "email": format!("user{i}@example.com"),
                    "groups": ["incidentfox-config-admin", "sre"], "iat": now, "exp": now + 600.0,
                    "jti": format!("{i:032x}"),
                }))
                .unwrap()
        })
        .collect();
    let before = resident_bytes();
    for token in &tokens {
        validator.verify_cached(token).unwrap();
    }
    assert!(
        validator.verified_cache_len() >= 99_000,
        "{}",
        validator.verified_cache_len()
    );
    let grown = resident_bytes().saturating_sub(before);
    println!(
        "100,000 cached tokens: {:.1} MiB resident",
        grown as f64 / (1024.0 * 1024.0)
    );
}
