//! Full OIDC verification against the raw aws-lc-rs signature check over the same input.
//!
//! The raw check uses a pre-parsed key, so the gap between the two lines is exactly what the
//! library adds: strict parsing, header rules, key selection, claims and identity.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use criterion::{criterion_group, criterion_main, Criterion};
use incidentfox_auth::jose::b64;
use incidentfox_auth::{Algorithm, OidcValidator};
use incidentfox_auth_benches::{oidc_fixture, OIDC_NOW};
use serde_json::Value;
use std::hint::black_box;

const NOW: f64 = OIDC_NOW;

struct Case {
    name: &'static str,
    validator: OidcValidator,
    token: String,
    raw_key: ParsedPublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn case(name: &'static str, alg: Algorithm) -> Case {
    let (validator, token, jwk) = oidc_fixture(alg);
    let (message, sig) = token.rsplit_once('.').unwrap();
    Case {
        name,
        validator,
        raw_key: raw_key(alg, &jwk),
        message: message.as_bytes().to_vec(),
        signature: b64::decode(sig).unwrap(),
        token,
    }
}

fn raw_key(alg: Algorithm, jwk: &Value) -> ParsedPublicKey {
    let field = |name: &str| b64::decode(jwk[name].as_str().unwrap()).unwrap();
    match alg {
        Algorithm::RS256 => RsaPublicKeyComponents {
            n: field("n"),
            e: field("e"),
        }
        .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
        .unwrap(),
        Algorithm::ES256 => {
            let mut point = vec![4u8];
            point.extend(field("x"));
            point.extend(field("y"));
            ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).unwrap()
        }
        _ => ParsedPublicKey::new(&signature::ED25519, field("x")).unwrap(),
    }
}

fn verify(c: &mut Criterion) {
    for case in [
        case("RS256", Algorithm::RS256),
        case("ES256", Algorithm::ES256),
        case("EdDSA", Algorithm::EdDSA),
    ] {
        assert!(case.validator.verify_cached_at(&case.token, NOW).is_ok());
        let mut group = c.benchmark_group(case.name);
        group.bench_function("raw aws-lc-rs signature check", |b| {
            b.iter(|| {
                case.raw_key
                    .verify_sig(black_box(&case.message), black_box(&case.signature))
                    .unwrap()
            })
        });
        group.bench_function("incidentfox-auth verify", |b| {
            b.iter(|| {
                case.validator
                    .verify_cached_at(black_box(&case.token), NOW)
                    .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, verify);
criterion_main!(benches);
