//! Signature malleability and what is keyed on what: an ES256 signature `(r, s)` has a twin
//! `(r, n − s)` that anyone can compute, so one set of claims can travel as two different token
//! strings. Nothing that decides access is keyed on the token's bytes: revocation and single use
//! key on `jti`, and the verified-token cache, which is keyed on the bytes, only ever holds
//! verdicts of genuinely signed tokens.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jose::b64;
use incidentfox_auth::jti::{JtiStore, MemoryJtiStore};
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{Algorithm, ErrorCode, KeySource, OidcConfig, OidcValidator, SigningKey};
use serde_json::json;
use std::sync::Arc;

/// The order of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `n − s` for a 32-byte big-endian `s < n`.
fn negate_mod_order(s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0, "s is below the order");
    out
}

/// The same token with its ES256 signature `(r, s)` replaced by `(r, n − s)`.
fn ecdsa_twin(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let signature = b64::decode(signature).unwrap();
    let (r, s) = signature.split_at(32);
    let twin = [r.to_vec(), negate_mod_order(s)].concat();
    format!("{signing_input}.{}", b64::encode(twin))
}

#[tokio::test]
async fn an_ecdsa_twin_verifies_alike_and_is_cached_apart() {
    let key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let v = OidcValidator::new(
        OidcConfig::new("https://idp.test", "api", KeySource::Inline(jwks))
            .with_algorithms(vec![Algorithm::ES256]),
    )
    .unwrap();
    let token = key
        .sign_claims(&json!({
            "iss": "https://idp.test", "aud": "api", "sub": "alice", "jti": "one-token",
            "exp": unix_now() + 600.0,
        }))
        .unwrap();
    let twin = ecdsa_twin(&token);
    assert_ne!(twin, token);
    // Both are genuine signatures over the same claims: the same verdict, whichever arrives.
    let original = v.verify(&token).await.unwrap();
    let other = v.verify(&twin).await.unwrap();
    assert_eq!(original.claims(), other.claims());
    assert_eq!(original.identity(), other.identity());
    // The cache keeps one verdict per spelling; neither can be more than a full verification.
    assert_eq!(v.verified_cache_len(), 2);
    assert_eq!(v.verify_hit(&twin).unwrap().claims(), original.claims());
}

/// An impersonation token re-spelt: the same payload under a header with its members in another
/// order, MACed with the verifier's own secret. Only the secret's holder can do this (HMAC is not
/// malleable), but it gives two valid token strings sharing one `jti`.
fn respelt(token: &str, secret: &str) -> String {
    let payload = b64::decode(token.split('.').nth(1).unwrap()).unwrap();
    SigningKey::hmac(Algorithm::HS256, secret.as_bytes())
        .unwrap()
        .sign_parts(br#"{"typ":"JWT","alg":"HS256"}"#, &payload)
        .unwrap()
}

const SECRET: &str = "malleability-secret-0123456789abcdef";

fn request() -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: "o".into(),
        team_node_id: "t".into(),
        subject: "a".into(),
        email: None,
        ttl_seconds: None,
    }
}

async fn minted(config: &ImpersonationConfig, store: &Arc<dyn JtiStore>) -> (String, String) {
    let signer = ImpersonationSigner::new(config.clone(), Some(store.clone())).unwrap();
    let minted = signer.mint(&request()).await.unwrap();
    let twin = respelt(&minted.token, SECRET);
    assert_ne!(twin, minted.token);
    (minted.token, twin)
}

#[tokio::test]
async fn revocation_keys_on_the_jti_not_the_token_bytes() {
    let store: Arc<dyn JtiStore> = Arc::new(MemoryJtiStore::default());
    let mut config = ImpersonationConfig::new(SECRET);
    config.jti_logging = true;
    config.jti_require = true;
    let (token, twin) = minted(&config, &store).await;
    let verifier = ImpersonationVerifier::new(config, Some(store)).unwrap();
    let a = verifier.verify(&token).await.unwrap();
    let b = verifier.verify(&twin).await.unwrap();
    assert_eq!(a.jti, b.jti);
    // Both spellings are cached now; revoking the jti refuses both.
    assert!(verifier.revoke(&a.jti).await.unwrap());
    for t in [&token, &twin] {
        assert_eq!(
            verifier.verify(t).await.unwrap_err().code(),
            ErrorCode::JtiNotFound
        );
    }
}

#[tokio::test]
async fn single_use_keys_on_the_jti_not_the_token_bytes() {
    let store: Arc<dyn JtiStore> = Arc::new(MemoryJtiStore::default());
    let mut config = ImpersonationConfig::new(SECRET);
    config.jti_logging = true;
    config.single_use = true;
    let (token, twin) = minted(&config, &store).await;
    let verifier = ImpersonationVerifier::new(config, Some(store)).unwrap();
    assert!(verifier.verify(&token).await.is_ok());
    // The other spelling of the same token is the same use.
    assert_eq!(
        verifier.verify(&twin).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
}
