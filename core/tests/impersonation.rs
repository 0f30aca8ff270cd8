//! Impersonation and visitor tokens: mint/verify round trips, the JTI hooks (strict and
//! best-effort recording, require, revoke, single use, failing stores) and the separation from
//! OIDC tokens.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use async_trait::async_trait;
use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
    RecordMode, VisitorRequest,
};
use incidentfox_auth::jti::{JtiEntry, JtiStore, MemoryJtiStore};
use incidentfox_auth::{
    Algorithm, Error, ErrorCode, KeySource, OidcConfig, OidcValidator, Result, SigningKey,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const SECRET: &str = "impersonation-test-secret-0123456789abcdef";

fn request() -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        subject: "admin@example.com".into(),
        email: Some("admin@example.com".into()),
        ttl_seconds: None,
    }
}

fn pair(
    config: ImpersonationConfig,
    store: Option<Arc<dyn JtiStore>>,
) -> (ImpersonationSigner, ImpersonationVerifier) {
    (
        ImpersonationSigner::new(config.clone(), store.clone()).unwrap(),
        ImpersonationVerifier::new(config, store).unwrap(),
    )
}

fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&incidentfox_auth::jose::b64::decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn mints_the_config_services_claims_and_verifies_them() {
    let (signer, verifier) = pair(ImpersonationConfig::new(SECRET), None);
    let minted = signer.mint(&request()).await.unwrap();
    let claims = claims_of(&minted.token);
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "iss",
            "aud",
            "sub",
            "email",
            "org_id",
            "team_node_id",
            "ifx_kind",
            "scope",
            "iat",
            "exp",
            "jti"
        ]
    );
    assert_eq!(claims["iss"], "incidentfox-config-service");
    assert_eq!(claims["aud"], "incidentfox-agent-runtime");
    assert_eq!(claims["scope"], json!(["team:read"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert_eq!(claims["jti"], minted.jti);
    assert_eq!(minted.expires_at, claims["exp"].as_i64().unwrap());
    let header =
        incidentfox_auth::jose::b64::decode(minted.token.split('.').next().unwrap()).unwrap();
    assert_eq!(header, br#"{"alg":"HS256","typ":"JWT"}"#);

    let verified = verifier.verify(&minted.token).await.unwrap();
    assert_eq!(
        verified.principal().to_json(),
        json!({"role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1",
               "subject": "admin@example.com", "email": "admin@example.com", "can_write": false,
               "permissions": ["team:read"]})
    );
    assert!(
        !format!("{minted:?}").contains(&minted.token),
        "Debug leaks the token"
    );

    // The claim set, read back (parsed on first use), is the minted one, in order; a clone shares
    // it, and Debug and serde show the claims, not the payload's bytes.
    assert_eq!(serde_json::Value::Object(verified.claims().clone()), claims);
    let copy = verified.clone();
    assert!(std::ptr::eq(copy.claims(), verified.claims()));
    assert_eq!(copy, verified);
    assert!(format!("{verified:?}").contains(r#""team_node_id": String("team-1")"#));
    assert_eq!(serde_json::to_value(&verified).unwrap()["claims"], claims);
}

#[tokio::test]
async fn visitors_and_the_ttl_floor() {
    let (signer, verifier) = pair(ImpersonationConfig::new(SECRET), None);
    let visitor = VisitorRequest {
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        session_id: "s-42".into(),
        email: Some("visitor@example.com".into()),
        ttl_seconds: Some(5),
    };
    let minted = signer.mint_visitor(&visitor).await.unwrap();
    let claims = claims_of(&minted.token);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    assert_eq!(claims["sub"], "visitor:s-42");
    // The config service's claim order: `email` right after `sub`.
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(&names[..5], ["iss", "aud", "sub", "email", "org_id"]);
    let me = verifier
        .verify(&minted.token)
        .await
        .unwrap()
        .principal()
        .to_json();
    assert_eq!(
        me,
        json!({"role": "team", "auth_kind": "visitor", "org_id": "org-1", "team_node_id": "team-1",
               "subject": "visitor:s-42", "email": "visitor@example.com", "can_write": false,
               "permissions": ["team:read", "agent:invoke"], "visitor_session_id": "s-42"})
    );
    let mut no_email = request();
    no_email.email = None;
    let minted = signer.mint(&no_email).await.unwrap();
    assert_eq!(claims_of(&minted.token)["email"], serde_json::Value::Null);
}

#[tokio::test]
async fn expires_exactly_at_exp_without_leeway() {
    let (signer, verifier) = pair(ImpersonationConfig::new(SECRET), None);
    let minted = signer.mint_at(&request(), 1_700_000_000).await.unwrap();
    let exp = minted.expires_at as f64;
    assert!(verifier.verify_at(&minted.token, exp - 0.5).await.is_ok());
    let e = verifier.verify_at(&minted.token, exp).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenExpired);
}

#[tokio::test]
async fn legacy_audience_only_with_the_switch() {
    let mut legacy = ImpersonationConfig::new(SECRET);
    legacy.audience = "incidentfox-config-service".into();
    let (old_signer, _) = pair(legacy, None);
    let minted = old_signer.mint(&request()).await.unwrap();
    let (_, strict) = pair(ImpersonationConfig::new(SECRET), None);
    assert_eq!(
        strict.verify(&minted.token).await.unwrap_err().code(),
        ErrorCode::InvalidAudience
    );
    let mut accepting = ImpersonationConfig::new(SECRET);
    accepting.accept_legacy_audience = true;
    let (_, lenient) = pair(accepting, None);
    assert!(lenient.verify(&minted.token).await.is_ok());
}

#[tokio::test]
async fn never_crosses_over_with_oidc() {
    let (signer, verifier) = pair(ImpersonationConfig::new(SECRET), None);
    let minted = signer.mint(&request()).await.unwrap();
    // An OIDC validator never accepts HS256, even with the same audience and issuer.
    let oidc_key = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("k");
    let jwks = json!({"keys": [oidc_key.public_jwk()]}).to_string();
    let oidc = OidcValidator::new(
        OidcConfig::new(
            "incidentfox-config-service",
            "incidentfox-agent-runtime",
            KeySource::Inline(jwks),
        )
        .with_algorithms(vec![Algorithm::ES256]),
    )
    .unwrap();
    assert_eq!(
        oidc.verify_cached(&minted.token).unwrap_err().code(),
        ErrorCode::AlgorithmNotAllowed
    );
    // And an OIDC token never passes as impersonation, whatever its claims.
    let oidc_token = oidc_key.sign_claims(&claims_of(&minted.token)).unwrap();
    assert_eq!(
        verifier.verify(&oidc_token).await.unwrap_err().code(),
        ErrorCode::AlgorithmNotAllowed
    );
    // A token signed with another secret.
    let (other, _) = pair(
        ImpersonationConfig::new("another-secret-entirely-0123456789"),
        None,
    );
    let forged = other.mint(&request()).await.unwrap();
    assert_eq!(
        verifier.verify(&forged.token).await.unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
}

fn jti_config(require: bool) -> ImpersonationConfig {
    let mut config = ImpersonationConfig::new(SECRET);
    config.jti_logging = true;
    config.jti_require = require;
    config
}

#[tokio::test]
async fn required_jtis_are_recorded_checked_and_revocable() {
    let store = Arc::new(MemoryJtiStore::default());
    let (signer, verifier) = pair(jti_config(true), Some(store.clone()));
    let minted = signer.mint(&request()).await.unwrap();
    assert!(store.contains(&minted.jti).await.unwrap());
    assert!(verifier.verify(&minted.token).await.is_ok());
    assert!(
        verifier.verify(&minted.token).await.is_ok(),
        "reusable until expiry, as in the agent runtime"
    );
    assert!(store.revoke(&minted.jti).await.unwrap());
    assert_eq!(
        verifier.verify(&minted.token).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
    // A validly signed token whose jti was never recorded.
    let (unlogged, _) = pair(ImpersonationConfig::new(SECRET), None);
    let stray = unlogged.mint(&request()).await.unwrap();
    assert_eq!(
        verifier.verify(&stray.token).await.unwrap_err().code(),
        ErrorCode::JtiNotFound
    );
}

#[tokio::test]
async fn single_use_tokens_verify_once() {
    let store = Arc::new(MemoryJtiStore::default());
    let mut config = jti_config(false);
    config.single_use = true;
    let (signer, verifier) = pair(config, Some(store));
    let minted = signer.mint(&request()).await.unwrap();
    let outcomes = futures_join(&verifier, &minted.token, 16).await;
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "exactly one of 16 concurrent uses wins"
    );
}

/// A foreign store's adapter that found no `consume` method.
#[derive(Debug, Default)]
struct NoConsume(MemoryJtiStore);

#[async_trait]
impl JtiStore for NoConsume {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        self.0.record(entry).await
    }
    async fn contains(&self, jti: &str) -> Result<bool> {
        self.0.contains(jti).await
    }
    async fn revoke(&self, jti: &str) -> Result<bool> {
        self.0.revoke(jti).await
    }
    async fn consume(&self, _: &str) -> Result<bool> {
        Err(Error::new(ErrorCode::JtiStoreUnavailable, "no consume"))
    }
    fn can_consume(&self) -> bool {
        false
    }
}

#[test]
fn single_use_refuses_a_store_that_cannot_consume() {
    let mut config = jti_config(false);
    config.single_use = true;
    let refused =
        ImpersonationVerifier::new(config, Some(Arc::new(NoConsume::default()))).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidConfig);
    assert!(refused.to_string().contains("consume"), "{refused}");
    // Requiring the jti only asks `contains`: the same store is fine.
    assert!(
        ImpersonationVerifier::new(jti_config(true), Some(Arc::new(NoConsume::default()))).is_ok()
    );
}

async fn futures_join(verifier: &ImpersonationVerifier, token: &str, n: usize) -> Vec<bool> {
    let mut handles = Vec::new();
    for _ in 0..n {
        let (v, t) = (verifier.clone(), token.to_owned());
        handles.push(tokio::spawn(async move { v.verify(&t).await.is_ok() }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// A store whose every call fails, counting the calls.
#[derive(Debug, Default)]
struct BrokenStore {
    calls: AtomicUsize,
}

#[async_trait]
impl JtiStore for BrokenStore {
    async fn record(&self, _: &JtiEntry) -> Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(Error::new(ErrorCode::InvalidConfig, "disk on fire"))
    }
    async fn contains(&self, _: &str) -> Result<bool> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(Error::new(
            ErrorCode::JtiStoreUnavailable,
            "connection refused",
        ))
    }
    async fn revoke(&self, _: &str) -> Result<bool> {
        Err(Error::new(
            ErrorCode::JtiStoreUnavailable,
            "connection refused",
        ))
    }
    async fn consume(&self, _: &str) -> Result<bool> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(Error::new(
            ErrorCode::JtiStoreUnavailable,
            "connection refused",
        ))
    }
}

#[tokio::test]
async fn a_failing_store_fails_closed() {
    let broken = Arc::new(BrokenStore::default());
    let (signer, _) = pair(jti_config(false), Some(broken.clone()));
    let e = signer.mint(&request()).await.unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::JtiStoreUnavailable,
        "strict mint returns no token"
    );
    assert_eq!(e.http_status(), 503);

    let (good_signer, _) = pair(ImpersonationConfig::new(SECRET), None);
    let token = good_signer.mint(&request()).await.unwrap().token;
    let verifier = ImpersonationVerifier::new(jti_config(true), Some(broken.clone())).unwrap();
    let before = broken.calls.load(Ordering::SeqCst);
    assert_eq!(
        verifier.verify(&token).await.unwrap_err().code(),
        ErrorCode::JtiStoreUnavailable
    );
    assert_eq!(broken.calls.load(Ordering::SeqCst), before + 1);

    // The store is asked only after the signature and claims pass.
    let forged = pair(
        ImpersonationConfig::new("some-other-secret-0123456789abcdef"),
        None,
    )
    .0
    .mint(&request())
    .await
    .unwrap();
    assert_eq!(
        verifier.verify(&forged.token).await.unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    assert_eq!(broken.calls.load(Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn best_effort_recording_returns_the_token_and_reports() {
    let broken = Arc::new(BrokenStore::default());
    let mut config = jti_config(false);
    config.record_mode = RecordMode::BestEffort;
    let reported = Arc::new(AtomicUsize::new(0));
    let seen = reported.clone();
    let signer = ImpersonationSigner::new(config, Some(broken))
        .unwrap()
        .on_record_failure(Arc::new(move |e, _| {
            assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
            seen.fetch_add(1, Ordering::SeqCst);
        }));
    assert!(signer.mint(&request()).await.is_ok());
    assert_eq!(reported.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_strict_mints_record_every_jti() {
    let store = Arc::new(MemoryJtiStore::default());
    let (signer, _) = pair(jti_config(false), Some(store.clone()));
    let mut handles = Vec::new();
    for i in 0..10_000 {
        let signer = signer.clone();
        handles.push(tokio::spawn(async move {
            let mut r = request();
            r.subject = format!("admin-{i}");
            signer.mint(&r).await.map(|m| m.jti)
        }));
    }
    let mut jtis = std::collections::HashSet::new();
    for h in handles {
        jtis.insert(h.await.unwrap().unwrap());
    }
    assert_eq!(jtis.len(), 10_000);
    assert_eq!(store.len(), 10_000);
}

#[test]
fn configuration_from_env() {
    use std::collections::HashMap;
    let env: HashMap<&str, &str> = HashMap::from([
        (
            "IMPERSONATION_JWT_SECRET",
            "  padded-secret-value-0123456789abcdef  ",
        ),
        ("IMPERSONATION_TOKEN_TTL_SECONDS", "10"),
        ("VISITOR_TOKEN_TTL_SECONDS", "120"),
        ("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE", "1"),
        ("IMPERSONATION_JTI_DB_LOGGING", "1"),
    ]);
    let config = ImpersonationConfig::from_env_source(&env).unwrap();
    assert_eq!(
        config.secret.expose(),
        b"padded-secret-value-0123456789abcdef"
    );
    assert_eq!(config.ttl_seconds, 60);
    assert_eq!(config.visitor_ttl_seconds, 120);
    assert_eq!(
        config.accepted_audiences(),
        ["incidentfox-agent-runtime", "incidentfox-config-service"]
    );
    assert!(!format!("{config:?}").contains("padded-secret-value"));

    let missing: HashMap<&str, &str> = HashMap::new();
    assert_eq!(
        ImpersonationConfig::from_env_source(&missing)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidConfig
    );
    let bad: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", "s"),
        ("IMPERSONATION_TOKEN_TTL_SECONDS", "soon"),
        ("IMPERSONATION_JTI_RECORD_MODE", "maybe"),
    ]);
    let e = ImpersonationConfig::from_env_source(&bad).unwrap_err();
    assert!(
        e.message().contains("IMPERSONATION_TOKEN_TTL_SECONDS")
            && e.message().contains("IMPERSONATION_JTI_RECORD_MODE")
    );
    // Logging on without a store is a configuration error, not a silent no-op.
    let e = ImpersonationSigner::new(jti_config(false), None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
}
