//! Token decode and verify against a fixed key set: never panics, and a verdict is stable.
#![no_main]

use incidentfox_auth::{Algorithm, KeySource, OidcConfig, OidcValidator, SigningKey};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn validator() -> &'static OidcValidator {
    static V: OnceLock<OidcValidator> = OnceLock::new();
    V.get_or_init(|| {
        let keys: Vec<_> = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA]
            .into_iter()
            .filter_map(|alg| SigningKey::generate(alg).ok())
            .enumerate()
            .filter_map(|(i, k)| k.with_kid(format!("k{i}")).public_jwk())
            .collect();
        let jwks = serde_json::json!({ "keys": keys }).to_string();
        let config = OidcConfig::new("https://idp.fuzz", "fuzz", KeySource::Inline(jwks))
            .with_algorithms(vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA]);
        match OidcValidator::new(config) {
            Ok(v) => v,
            Err(e) => panic!("fixture: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let first = validator().verify_cached_at(&token, 1.8e9).map_err(|e| e.code());
    let again = validator().verify_cached_at(&token, 1.8e9).map_err(|e| e.code());
    assert_eq!(first.is_ok(), again.is_ok());
});
