//! The verified-token cache never returns an expired, revoked or removed-key token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/jwks_server.rs"]
mod jwks_server;

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jti::{JtiStore, MemoryJtiStore};
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{
    Algorithm, Authenticator, Credentials, ErrorCode, JwksSettings, KeySource, OidcConfig,
    OidcValidator, SigningKey, VerifiedCacheSettings,
};
use jwks_server::JwksServer;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const ISSUER: &str = "https://idp.cache.test";

fn key(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid(kid)
}

fn token(key: &SigningKey, exp: f64) -> String {
    key.sign_claims(
        &json!({"iss": ISSUER, "aud": "api", "sub": "alice", "iat": unix_now() - 5.0, "exp": exp}),
    )
    .unwrap()
}

fn inline(keys: &[&SigningKey]) -> OidcValidator {
    inline_with(keys, |config| config.with_leeway(0.0))
}

/// A validator trusting `keys` (ES256), its configuration adjusted by `adjust`.
fn inline_with(
    keys: &[&SigningKey],
    adjust: impl FnOnce(OidcConfig) -> OidcConfig,
) -> OidcValidator {
    let jwks = json!({"keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>()}).to_string();
    let config = OidcConfig::new(ISSUER, "api", KeySource::Inline(jwks))
        .with_algorithms(vec![Algorithm::ES256]);
    OidcValidator::new(adjust(config)).unwrap()
}

/// An impersonation request with the defaults.
fn request() -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: "o".into(),
        team_node_id: "t".into(),
        subject: "a".into(),
        email: None,
        ttl_seconds: None,
    }
}

/// `token` with the last character of its signature changed: a different token.
fn forged(token: &str) -> String {
    let mut forged = token.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'Q' } else { 'A' });
    forged
}

#[tokio::test]
async fn repeat_verification_is_served_from_the_cache() {
    let k = key("k1");
    let v = inline(&[&k]);
    let t = token(&k, unix_now() + 600.0);
    assert_eq!(v.verified_cache_len(), 0);
    let first = v.verify(&t).await.unwrap();
    assert_eq!(v.verified_cache_len(), 1);
    assert_eq!(v.verify_cached(&t).unwrap(), first);
    assert_eq!(v.verified_cache_len(), 1);
    // A different token (one bit of the signature changed) is not a hit.
    assert!(v.verify(&forged(&t)).await.is_err());
}

#[tokio::test]
async fn a_hit_reads_the_same_claims_and_identity_as_a_full_verification() {
    let k = key("k1");
    let v = inline_with(&[&k], |config| {
        config.with_groups_claim("/realm_access/roles")
    });
    let t = k
        .sign_claims(&json!({
            "iss": ISSUER, "aud": "api", "sub": "alice", "email": "alice@example.com",
            "realm_access": {"roles": ["incidentfox-config-admin", "sre"]},
            "org_id": "org-1", "team_node_id": "team-1", "exp": unix_now() + 600.0,
        }))
        .unwrap();
    let full = v.verify(&t).await.unwrap();
    let hit = v.verify(&t).await.unwrap();
    assert_eq!(v.verified_cache_len(), 1);
    // Read from the hit's own token on first use: every claim and the configured identity.
    assert_eq!(hit.claims(), full.claims());
    assert_eq!(hit.identity(), full.identity());
    assert_eq!(hit.identity().groups, ["incidentfox-config-admin", "sre"]);
    assert_eq!(hit.identity().team_node_id.as_deref(), Some("team-1"));
    assert_eq!(
        serde_json::to_value(&hit).unwrap(),
        serde_json::to_value(&full).unwrap()
    );
    assert_eq!(hit.into_claims(), full.into_claims());
}

#[tokio::test]
async fn a_hit_reads_the_identity_in_one_pass_and_the_claims_when_asked() {
    let k = key("k1");
    let v = inline_with(&[&k], |config| config);
    let claims = json!({
        "iss": ISSUER, "aud": "api", "sub": "alice", "email": "alice@example.com",
        "groups": ["incidentfox-config-admin", "sre"], "org_id": "org-1", "team_node_id": null,
        "exp": unix_now() + 600.0, "extra": {"nested": [1, "x"]},
    });
    let t = k.sign_claims(&claims).unwrap();
    let full = v.verify(&t).await.unwrap();
    // The identity first (the one-pass reader), then the claims (the map), then both again.
    let hit = v.verify(&t).await.unwrap();
    assert_eq!(v.verified_cache_len(), 1);
    assert_eq!(hit.identity(), full.identity());
    assert_eq!(hit.identity().groups, ["incidentfox-config-admin", "sre"]);
    assert_eq!(hit.identity().team_node_id, None);
    assert_eq!(serde_json::Value::Object(hit.claims().clone()), claims);
    assert_eq!(hit.claims(), full.claims());
    // The claims first, then the identity.
    let hit = v.verify(&t).await.unwrap();
    assert_eq!(hit.claims(), full.claims());
    assert_eq!(hit.into_identity(), full.into_identity());
}

#[tokio::test]
async fn impersonation_verify_cached_uses_the_cache_and_refuses_when_the_store_must_be_asked() {
    let request = request();
    let config = ImpersonationConfig::new("cache-test-secret-0123456789abcdef");
    let signer = ImpersonationSigner::new(config.clone(), None).unwrap();
    let verifier = ImpersonationVerifier::new(config.clone(), None).unwrap();
    let minted = signer.mint(&request).await.unwrap();
    let first = verifier.verify_cached(&minted.token).unwrap();
    assert_eq!(verifier.verify_cached(&minted.token).unwrap(), first);
    assert_eq!(verifier.verify(&minted.token).await.unwrap(), first);
    assert_eq!(
        verifier
            .verify_cached(&forged(&minted.token))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidSignature
    );

    // With the jti required, only the async verify can ask the store: no silent skip.
    let store: Arc<dyn JtiStore> = Arc::new(MemoryJtiStore::default());
    let mut required = config;
    required.jti_require = true;
    let strict = ImpersonationVerifier::new(required, Some(store)).unwrap();
    assert_eq!(
        strict.verify_cached(&minted.token).unwrap_err().code(),
        ErrorCode::InvalidConfig
    );
}

#[tokio::test]
async fn never_returns_an_expired_token() {
    let k = key("k1");
    let v = inline(&[&k]);
    let exp = unix_now().ceil() + 2.0;
    let t = token(&k, exp);
    assert!(v.verify(&t).await.is_ok());
    // Wait past `exp`: the entry's own lifetime is checked again on the hit, not just moka's.
    tokio::time::sleep(Duration::from_secs_f64(exp - unix_now() + 0.2)).await;
    assert_eq!(
        v.verify(&t).await.unwrap_err().code(),
        ErrorCode::TokenExpired
    );
    assert_eq!(
        v.verify_cached(&t).unwrap_err().code(),
        ErrorCode::TokenExpired
    );
}

#[tokio::test]
async fn never_returns_a_token_whose_key_left_the_set() {
    let (old, new) = (key("old"), key("new"));
    let server = JwksServer::start(&json!({"keys": [old.public_jwk()]})).await;
    let settings = JwksSettings {
        cooldown: Duration::from_millis(100),
        ..JwksSettings::default()
    };
    let v = OidcValidator::new(
        OidcConfig::new(ISSUER, "api", KeySource::Url(server.jwks_url()))
            .with_algorithms(vec![Algorithm::ES256])
            .with_jwks_settings(settings),
    )
    .unwrap();
    let old_token = token(&old, unix_now() + 600.0);
    assert!(v.verify(&old_token).await.is_ok());
    // The IdP drops the old key; a token under the new kid makes the validator refetch.
    server.set_jwks(&json!({"keys": [new.public_jwk()]}));
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(v.verify(&token(&new, unix_now() + 600.0)).await.is_ok());
    let e = v.verify(&old_token).await.unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::UnknownKeyId,
        "a cached verdict outlived its key"
    );
}

#[tokio::test]
async fn never_returns_a_verdict_of_a_key_replaced_under_the_same_kid() {
    // The IdP replaces a compromised key and publishes the new one under the same kid.
    let (old, new) = (key("k1"), key("k1"));
    let server = JwksServer::start(&json!({"keys": [old.public_jwk()]})).await;
    let v = OidcValidator::new(
        OidcConfig::new(ISSUER, "api", KeySource::Url(server.jwks_url()))
            .with_algorithms(vec![Algorithm::ES256]),
    )
    .unwrap();
    let cache = v.jwks_cache().unwrap();
    let old_token = token(&old, unix_now() + 600.0);
    assert!(v.verify(&old_token).await.is_ok());
    assert!(v.verify_hit(&old_token).is_some(), "the verdict is cached");

    server.set_jwks(&json!({"keys": [new.public_jwk()]}));
    cache.prefetch().await.unwrap();
    assert_eq!(server.jwks_hits(), 2);
    // The kid still selects a key, but not the one that verified the token: no hit, and the
    // full verification against the new key fails.
    assert!(
        v.verify_hit(&old_token).is_none(),
        "a verdict outlived its key"
    );
    assert_eq!(
        v.verify(&old_token).await.unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    assert_eq!(
        v.verify_cached(&old_token).unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    let new_token = token(&new, unix_now() + 600.0);
    assert!(v.verify(&new_token).await.is_ok());

    // Refetching the same material keeps verdicts: identity is the key, not the fetch.
    cache.prefetch().await.unwrap();
    assert_eq!(server.jwks_hits(), 3);
    assert!(
        v.verify_hit(&new_token).is_some(),
        "an unchanged key lost its verdicts"
    );
}

#[tokio::test]
async fn never_returns_a_revoked_impersonation_token() {
    let store = Arc::new(MemoryJtiStore::default());
    let mut config = ImpersonationConfig::new("cache-test-secret-0123456789abcdef");
    config.jti_logging = true;
    config.jti_require = true;
    let shared: Arc<dyn JtiStore> = store.clone();
    let signer = ImpersonationSigner::new(config.clone(), Some(shared.clone())).unwrap();
    let verifier = ImpersonationVerifier::new(config, Some(shared)).unwrap();
    let request = request();
    let a = signer.mint(&request).await.unwrap();
    let b = signer.mint(&request).await.unwrap();
    for _ in 0..2 {
        assert!(verifier.verify(&a.token).await.is_ok());
        assert!(verifier.verify(&b.token).await.is_ok());
    }
    // Revoked behind the verifier's back (another replica): the store is still asked.
    assert!(store.revoke(&a.jti).await.unwrap());
    assert_eq!(
        verifier.verify(&a.token).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
    // Revoked through the verifier: its cached verdicts go too.
    assert!(verifier.revoke(&b.jti).await.unwrap());
    assert_eq!(
        verifier.verify(&b.token).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
}

#[tokio::test]
async fn a_zero_ttl_turns_the_cache_off() {
    let k = key("k1");
    let v = inline_with(&[&k], |config| {
        config.with_verified_cache(VerifiedCacheSettings {
            ttl: Duration::ZERO,
            ..VerifiedCacheSettings::default()
        })
    });
    assert!(v.verify(&token(&k, unix_now() + 60.0)).await.is_ok());
    assert_eq!(v.verified_cache_len(), 0);
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let k = key("k1");
    let v = inline_with(&[&k], |config| {
        config.with_verified_cache(VerifiedCacheSettings {
            max_entries: 50,
            ..VerifiedCacheSettings::default()
        })
    });
    for i in 0..200 {
        let t = key("k1").sign_claims(&json!({"iss": ISSUER, "aud": "api", "sub": format!("u{i}"), "exp": unix_now() + 60.0})).unwrap();
        let _ = v.verify(&t).await;
        let t = k.sign_claims(&json!({"iss": ISSUER, "aud": "api", "sub": format!("u{i}"), "exp": unix_now() + 60.0})).unwrap();
        assert!(v.verify(&t).await.is_ok());
    }
    assert!(v.verified_cache_len() <= 50, "{}", v.verified_cache_len());
}

#[tokio::test]
async fn the_authenticator_answers_repeat_requests_from_the_caches() {
    let k = key("k1");
    let jwks = json!({"keys": [k.public_jwk()]}).to_string();
    let secret = "cache-test-secret-0123456789abcdef";
    let env = HashMap::from([
        ("ADMIN_AUTH_MODE", "oidc"),
        ("OIDC_ENABLED", "1"),
        ("OIDC_ISSUER", ISSUER),
        ("OIDC_AUDIENCE", "api"),
        ("OIDC_ALG", "ES256"),
        ("OIDC_JWKS_JSON", jwks.as_str()),
        ("IMPERSONATION_JWT_SECRET", secret),
    ]);
    let auth = Authenticator::from_env_source(&env, None).unwrap();
    let validator = auth.admin().oidc().unwrap().clone();
    let admin = k
        .sign_claims(&json!({
            "iss": ISSUER, "aud": "api", "sub": "alice", "exp": unix_now() + 600.0,
            "groups": ["incidentfox-config-admin"],
        }))
        .unwrap();
    let headers = [("authorization", format!("Bearer {admin}"))];
    let credentials = Credentials::from_headers(headers.iter().map(|(k, v)| (*k, v.as_str())));
    // An explicit instant verifies in full and leaves the cache alone.
    auth.authenticate_at(&credentials, unix_now())
        .await
        .unwrap();
    assert_eq!(validator.verified_cache_len(), 0);
    let hit_before = auth.authenticate_hit(&credentials);
    let first = auth.authenticate(&credentials).await.unwrap();
    assert_eq!(validator.verified_cache_len(), 1);
    let again = auth.authenticate(&credentials).await.unwrap();
    assert_eq!(again.to_json(), first.to_json());
    assert_eq!(first.subject.as_deref(), Some("alice"));
    // Nothing to answer before the first verification; afterwards the same principal.
    assert!(hit_before.is_none());
    let hit = auth.authenticate_hit(&credentials).unwrap().unwrap();
    assert_eq!(hit.to_json(), first.to_json());

    // A verified token whose holder is not an admin is refused the same way from the cache.
    let member = k
        .sign_claims(&json!({"iss": ISSUER, "aud": "api", "sub": "bob", "exp": unix_now() + 600.0}))
        .unwrap();
    let bearer = [("authorization", format!("Bearer {member}"))];
    let credentials = Credentials::from_headers(bearer.iter().map(|(k, v)| (*k, v.as_str())));
    let refused = auth.authenticate(&credentials).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotAdmin);
    let hit = auth.authenticate_hit(&credentials).unwrap().unwrap_err();
    assert_eq!(hit.code(), ErrorCode::NotAdmin);

    // Impersonation tokens go through the impersonation verifier's cache the same way.
    let signer = ImpersonationSigner::new(ImpersonationConfig::new(secret), None).unwrap();
    let minted = signer.mint(&request()).await.unwrap();
    let bearer = [("authorization", format!("Bearer {}", minted.token))];
    let credentials = Credentials::from_headers(bearer.iter().map(|(k, v)| (*k, v.as_str())));
    let team = auth.authenticate(&credentials).await.unwrap();
    assert_eq!(
        auth.authenticate(&credentials).await.unwrap().to_json(),
        team.to_json()
    );
    let hit = auth.authenticate_hit(&credentials).unwrap().unwrap();
    assert_eq!(hit.to_json(), team.to_json());
    let forged_bearer = [("authorization", format!("Bearer {}", forged(&minted.token)))];
    let credentials =
        Credentials::from_headers(forged_bearer.iter().map(|(k, v)| (*k, v.as_str())));
    assert_eq!(
        auth.authenticate(&credentials).await.unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    assert!(auth.authenticate_hit(&credentials).is_none());
}

#[tokio::test]
async fn no_synchronous_answer_when_the_jti_store_must_be_asked() {
    let secret = "cache-test-secret-0123456789abcdef";
    let env = HashMap::from([
        ("ADMIN_AUTH_MODE", "token"),
        ("ADMIN_TOKEN", "break-glass-admin-token-for-tests"),
        ("IMPERSONATION_JWT_SECRET", secret),
        ("IMPERSONATION_JTI_DB_LOGGING", "1"),
        ("IMPERSONATION_JTI_DB_REQUIRE", "1"),
    ]);
    let store: Arc<dyn JtiStore> = Arc::new(MemoryJtiStore::default());
    let auth = Authenticator::from_env_source(&env, Some(store.clone())).unwrap();
    let mut config = ImpersonationConfig::new(secret);
    config.jti_logging = true;
    let signer = ImpersonationSigner::new(config, Some(store.clone())).unwrap();
    let minted = signer.mint(&request()).await.unwrap();
    let bearer = [("authorization", format!("Bearer {}", minted.token))];
    let credentials = Credentials::from_headers(bearer.iter().map(|(k, v)| (*k, v.as_str())));
    assert!(auth.authenticate(&credentials).await.is_ok());
    // Cached, but a revocation elsewhere must still count: only the async path asks the store.
    assert!(auth.authenticate_hit(&credentials).is_none());
    assert!(store.revoke(&minted.jti).await.unwrap());
    assert_eq!(
        auth.authenticate(&credentials).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
}
