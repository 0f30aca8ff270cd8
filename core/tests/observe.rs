//! What an operator sees: the events and counters of a key-set outage and recovery, a key
//! rotation, a JTI store outage and a burst of bad tokens, captured through the same
//! [`Forwarder`] the bindings install, and searched for every token and secret that went in.
//!
//! Each test runs on a current-thread runtime with a thread-local subscriber, so the background
//! refreshes it starts are captured too and no test sees another's events.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/jwks_server.rs"]
mod jwks_server;

use async_trait::async_trait;
use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jti::{JtiEntry, JtiStore, MemoryJtiStore};
use incidentfox_auth::keys::FetchLimits;
use incidentfox_auth::observe::{openmetrics, EventRecord, FieldValue, Forwarder};
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{
    Algorithm, ErrorCode, JwksSettings, KeySource, OidcConfig, OidcValidator, Result, SigningKey,
};
use jwks_server::{Fault, JwksServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const AUDIENCE: &str = "incidentfox-api";
const SECRET: &str = "observe-test-secret-0123456789abcdef-XYZ";
const STORE_PASSWORD: &str = "pg-password-s3cr3t";

type Records = Arc<Mutex<Vec<EventRecord>>>;

/// Captures every event of this thread, `trace` and up.
fn capture() -> (tracing::subscriber::DefaultGuard, Records) {
    let records: Records = Arc::default();
    let sink = records.clone();
    let forwarder = Forwarder::new(move |r| sink.lock().unwrap().push(r));
    forwarder.level_handle().store(5, Ordering::Relaxed);
    (tracing::subscriber::set_default(forwarder), records)
}

fn named(records: &Records, name: &str) -> Vec<EventRecord> {
    records
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.name == name)
        .cloned()
        .collect()
}

fn field<'r>(record: &'r EventRecord, name: &str) -> &'r FieldValue {
    &record
        .fields
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{} has no field {name}: {record:?}", record.name))
        .1
}

fn text(value: &FieldValue) -> &str {
    match value {
        FieldValue::Str(s) => s,
        other => panic!("not text: {other:?}"),
    }
}

/// No record carries any of `secrets`, nor any token's signature or payload segment.
#[track_caller]
fn assert_redacted(records: &Records, secrets: &[&str]) {
    let mut needles: Vec<String> = Vec::new();
    for secret in secrets {
        needles.push((*secret).to_owned());
        for part in secret.split('.').filter(|p| p.len() >= 16) {
            needles.push(part.to_owned());
        }
    }
    for record in records.lock().unwrap().iter() {
        let shown = format!("{record:?}");
        for needle in &needles {
            assert!(
                !shown.contains(needle.as_str()),
                "a record carries a secret: {shown}"
            );
        }
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn key(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid(kid)
}

fn jwks_of(keys: &[&SigningKey]) -> Value {
    let keys: Vec<Value> = keys.iter().map(|k| k.public_jwk().unwrap()).collect();
    json!({ "keys": keys })
}

fn token(key: &SigningKey, issuer: &str) -> String {
    let now = unix_now().floor();
    key.sign_claims(&json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 600.0,
    }))
    .unwrap()
}

fn remote(server: &JwksServer, settings: JwksSettings) -> OidcValidator {
    OidcValidator::new(
        OidcConfig::new(
            server.base_url(),
            AUDIENCE,
            KeySource::Url(server.jwks_url()),
        )
        .with_algorithms(vec![Algorithm::ES256])
        .with_jwks_settings(settings),
    )
    .unwrap()
}

fn settings(max_age: Duration, cooldown: Duration) -> JwksSettings {
    JwksSettings {
        max_age,
        cooldown,
        max_stale: Duration::from_secs(30),
        refresh_ahead: 1.0,
        fetch: FetchLimits {
            timeout: ms(300),
            max_body_bytes: 1024 * 1024,
        },
    }
}

async fn eventually(mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting");
        tokio::time::sleep(ms(10)).await;
    }
}

#[tokio::test]
async fn a_key_set_outage_is_fetched_failed_stale_then_recovered() {
    let (_guard, records) = capture();
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = remote(&server, settings(ms(300), ms(400)));
    let t = token(&a, &server.base_url());

    v.verify(&t).await.unwrap();
    let fetched = named(&records, "jwks.fetched");
    assert_eq!(fetched.len(), 1);
    assert_eq!(text(field(&fetched[0], "trigger")), "expiry");
    assert_eq!(field(&fetched[0], "keys_loaded"), &FieldValue::U64(1));
    assert_eq!(field(&fetched[0], "keys_dropped"), &FieldValue::U64(0));
    assert_eq!(text(field(&fetched[0], "source")), server.jwks_url());
    assert_eq!(fetched[0].area, "keys");
    assert_eq!(fetched[0].level, "info");

    // The IdP fails; past max_age the stale set is served while a background fetch fails.
    server.set_fault(Fault::Status(500));
    tokio::time::sleep(ms(450)).await;
    for _ in 0..3 {
        v.verify(&t).await.unwrap();
    }
    eventually(|| !named(&records, "jwks.fetch_failed").is_empty()).await;
    let failed = named(&records, "jwks.fetch_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(text(field(&failed[0], "code")), "jwks_unavailable");
    assert_eq!(text(field(&failed[0], "trigger")), "background");
    assert_eq!(field(&failed[0], "serving"), &FieldValue::Bool(true));
    assert_eq!(failed[0].level, "warn");
    // Reported once per set, counted per verification.
    let stale = named(&records, "jwks.stale_served");
    assert_eq!(stale.len(), 1);
    let stats = v.stats();
    let jwks = stats.jwks.clone().unwrap();
    assert_eq!(jwks.stale_served, 3);
    assert_eq!((jwks.fetches_ok, jwks.fetches_failed), (1, 1));
    assert!(jwks.stale_seconds > 0.0);
    let health = v.health().await;
    assert!(health.ready, "a stale set still serves");
    let jh = health.jwks.unwrap();
    assert_eq!(
        (jh.stale, jh.last_fetch_ok, jh.last_fetch_code),
        (true, Some(false), Some("jwks_unavailable"))
    );

    // The IdP recovers: past the cooldown the next verification's background fetch succeeds.
    server.set_fault(Fault::Normal);
    tokio::time::sleep(ms(500)).await;
    v.verify(&t).await.unwrap();
    eventually(|| named(&records, "jwks.fetched").len() == 2).await;
    let stats = v.stats();
    let jwks = stats.jwks.clone().unwrap();
    assert_eq!((jwks.fetches_ok, jwks.fetches_failed), (2, 1));
    assert_eq!(jwks.stale_seconds, 0.0);
    assert_eq!(jwks.fetch_latency.count, 3);
    assert!(v.health().await.jwks.unwrap().last_fetch_ok.unwrap());
    // Five verifications, all passed; four answered from the verified-token cache.
    assert_eq!(stats.verifications_of("oidc", "ok"), 5);
    assert_eq!(stats.verifications.len(), 1);
    assert_eq!(stats.verified_cache.hits, 4);
    assert_eq!(stats.verified_cache.misses, 1);
    assert_eq!(named(&records, "verification").len(), 5);
    assert_redacted(&records, &[&t]);
}

#[tokio::test]
async fn health_fetches_a_key_set_never_fetched_so_a_new_replica_becomes_ready() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = remote(&server, settings(Duration::from_secs(30), ms(300)));
    assert_eq!(server.jwks_hits(), 0);
    let health = v.health().await;
    assert!(health.ready);
    assert_eq!(server.jwks_hits(), 1);
    // Fresh: probing again costs the IdP nothing.
    assert!(v.health().await.ready);
    assert_eq!(server.jwks_hits(), 1);
    // An IdP that is down keeps a new replica unready, and the probes keep to the cooldown.
    let down = JwksServer::start(&jwks_of(&[&a])).await;
    down.set_fault(Fault::Status(503));
    let cold = remote(
        &down,
        settings(Duration::from_secs(30), Duration::from_secs(30)),
    );
    for _ in 0..5 {
        assert!(!cold.health().await.ready);
    }
    assert_eq!(down.jwks_hits(), 1);
}

#[tokio::test]
async fn a_rotation_refetches_and_the_cooldown_refuses_the_next_unknown_kid() {
    let (_guard, records) = capture();
    let (a, b) = (key("a"), key("b"));
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = remote(&server, settings(Duration::from_secs(30), ms(300)));
    let issuer = server.base_url();
    let first = token(&a, &issuer);
    v.verify(&first).await.unwrap();

    server.set_jwks(&jwks_of(&[&a, &b]));
    tokio::time::sleep(ms(400)).await;
    let rotated = token(&b, &issuer);
    v.verify(&rotated).await.unwrap();
    assert_eq!(named(&records, "jwks.unknown_kid_refetch").len(), 1);
    let fetched = named(&records, "jwks.fetched");
    assert_eq!(fetched.len(), 2);
    assert_eq!(text(field(&fetched[1], "trigger")), "unknown_kid");
    assert_eq!(field(&fetched[1], "keys_loaded"), &FieldValue::U64(2));

    // Within the cooldown, an unknown kid is refused without a fetch.
    let stranger = token(&key("nowhere"), &issuer);
    let e = v.verify(&stranger).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownKeyId);
    let refused = named(&records, "jwks.unknown_kid_refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(text(field(&refused[0], "reason")), "cooldown");

    let stats = v.stats();
    let jwks = stats.jwks.clone().unwrap();
    assert_eq!(
        (jwks.unknown_kid_refetches, jwks.unknown_kid_refused),
        (1, 1)
    );
    assert_eq!(jwks.keys, 2);
    assert_eq!(stats.verifications_of("oidc", "ok"), 2);
    assert_eq!(stats.verifications_of("oidc", "unknown_key_id"), 1);
    // No event names the kid a caller chose.
    let everything = format!("{:?}", records.lock().unwrap());
    assert!(!everything.contains("nowhere"));
    assert_redacted(&records, &[&first, &rotated, &stranger]);
}

/// A memory store that can be switched off; its errors name a database URL with a password, as
/// a real driver's might.
#[derive(Debug, Default)]
struct FlakyStore {
    inner: MemoryJtiStore,
    down: AtomicBool,
}

impl FlakyStore {
    fn check(&self) -> Result<()> {
        if self.down.load(Ordering::Relaxed) {
            return Err(incidentfox_auth::Error::new(
                ErrorCode::JtiStoreUnavailable,
                format!("connect to postgres://auth:{STORE_PASSWORD}@db:5432 refused"),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl JtiStore for FlakyStore {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        self.check()?;
        self.inner.record(entry).await
    }
    async fn contains(&self, jti: &str) -> Result<bool> {
        self.check()?;
        self.inner.contains(jti).await
    }
    async fn revoke(&self, jti: &str) -> Result<bool> {
        self.check()?;
        self.inner.revoke(jti).await
    }
    async fn consume(&self, jti: &str) -> Result<bool> {
        self.check()?;
        self.inner.consume(jti).await
    }
}

#[tokio::test]
async fn a_jti_store_outage_is_reported_counted_and_unready() {
    let (_guard, records) = capture();
    let store = Arc::new(FlakyStore::default());
    let mut config = ImpersonationConfig::new(SECRET);
    config.jti_require = true;
    let shared: Arc<dyn JtiStore> = store.clone();
    let signer = ImpersonationSigner::new(config.clone(), Some(shared.clone())).unwrap();
    let verifier = ImpersonationVerifier::new(config, Some(shared)).unwrap();
    let minted = signer
        .mint(&ImpersonationRequest {
            org_id: "org-1".into(),
            team_node_id: "team-1".into(),
            subject: "admin@example.com".into(),
            email: None,
            ttl_seconds: None,
        })
        .await
        .unwrap();
    verifier.verify(&minted.token).await.unwrap();
    assert!(verifier.health().await.ready);

    store.down.store(true, Ordering::Relaxed);
    for _ in 0..4 {
        let e = verifier.verify(&minted.token).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    }
    let health = verifier.health().await;
    assert!(!health.ready);
    assert_eq!(
        health.jti_store.unwrap().code,
        Some("jti_store_unavailable")
    );
    let failed = named(&records, "jti_store.failed");
    assert_eq!(failed.len(), 5, "four verifications and the health probe");
    assert_eq!(text(field(&failed[0], "operation")), "contains");
    assert_eq!(text(field(&failed[0], "code")), "jti_store_unavailable");
    assert_eq!(failed[0].area, "jti");

    store.down.store(false, Ordering::Relaxed);
    assert!(verifier.health().await.ready);
    let stats = verifier.stats();
    let jti = stats.jti_store.clone().unwrap();
    assert_eq!((jti.calls, jti.failures), (8, 5));
    assert_eq!(jti.latency.count, 8);
    assert_eq!(stats.verifications_of("impersonation", "ok"), 1);
    assert_eq!(
        stats.verifications_of("impersonation", "jti_store_unavailable"),
        4
    );
    assert_redacted(
        &records,
        &[&minted.token, SECRET, STORE_PASSWORD, &minted.jti],
    );
}

#[tokio::test]
async fn a_burst_of_bad_tokens_is_counted_and_logged_at_debug() {
    let (_guard, records) = capture();
    let good = key("a");
    let forger = key("a");
    let issuer = "https://idp.example";
    let v = OidcValidator::new(
        OidcConfig::new(
            issuer,
            AUDIENCE,
            KeySource::Inline(jwks_of(&[&good]).to_string()),
        )
        .with_algorithms(vec![Algorithm::ES256]),
    )
    .unwrap();
    let forged: Vec<String> = (0..50).map(|_| token(&forger, issuer)).collect();
    for t in &forged {
        assert_eq!(
            v.verify(t).await.unwrap_err().code(),
            ErrorCode::InvalidSignature
        );
    }
    let garbage = "not-a-token-at-all-but-a-secret-looking-string";
    assert!(v.verify_cached(garbage).is_err());
    let outcomes = named(&records, "verification");
    assert_eq!(outcomes.len(), 51);
    assert!(outcomes[..50]
        .iter()
        .all(|r| text(field(r, "outcome")) == "invalid_signature"
            && text(field(r, "kind")) == "oidc"
            && r.level == "debug"));
    let stats = v.stats();
    assert_eq!(stats.verifications_of("oidc", "invalid_signature"), 50);
    assert_eq!(stats.jwks, None);
    let text = openmetrics(&stats);
    assert!(text.contains(
        "incidentfox_auth_verifications_total{kind=\"oidc\",outcome=\"invalid_signature\"} 50\n"
    ));
    let mut secrets: Vec<&str> = forged.iter().map(String::as_str).collect();
    secrets.push(garbage);
    assert_redacted(&records, &secrets);
}

#[tokio::test]
async fn configuration_problems_are_reported_without_the_secret() {
    let (_guard, records) = capture();
    let short = "tiny-secret-value";
    let env: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", short),
        ("IMPERSONATION_JWT_TTL_SECONDS", "not-a-number"),
    ]);
    assert!(ImpersonationConfig::from_env_source(&env).is_err());
    let problems = named(&records, "config.problem");
    assert!(!problems.is_empty());
    assert!(problems
        .iter()
        .all(|p| p.area == "config" && p.level == "warn"));
    let all: Vec<&str> = problems.iter().map(|p| text(field(p, "problem"))).collect();
    assert!(
        all.iter().any(|p| p.contains("IMPERSONATION_JWT_SECRET")),
        "{all:?}"
    );
    assert_redacted(&records, &[short]);
}

#[tokio::test]
async fn an_authenticator_counts_requests_by_the_kind_presented_and_passed() {
    use incidentfox_auth::team_tokens::MemoryTeamTokens;
    use incidentfox_auth::{Authenticator, Credentials};
    let (_guard, records) = capture();
    let admin = "observe-admin-token-value-0123456789";
    let pepper = "observe-pepper-0123456789abcdef0123456789";
    let env: HashMap<&str, &str> =
        HashMap::from([("ADMIN_TOKEN", admin), ("TOKEN_PEPPER", pepper)]);
    let auth = Authenticator::from_env_source(&env, None)
        .unwrap()
        .with_team_token_lookup(Arc::new(MemoryTeamTokens::new([])));
    let bearer =
        |t: &str| Credentials::from_headers([("authorization", format!("Bearer {t}").as_str())]);
    let none = Credentials::from_headers(std::iter::empty::<(&str, &str)>());

    auth.authenticate(&bearer(admin)).await.unwrap();
    auth.authenticate(&bearer(admin)).await.unwrap();
    let wrong_admin = "not-the-admin-token-but-long-enough";
    assert!(auth.authenticate(&bearer(wrong_admin)).await.is_err());
    let team = "tok_0123456789.secretsecretsecretsecret";
    assert!(auth.authenticate(&bearer(team)).await.is_err());
    assert!(auth.authenticate(&none).await.is_err());

    let stats = auth.stats();
    assert_eq!(stats.verifications_of("admin_token", "ok"), 2);
    assert_eq!(
        stats.verifications_of("admin_token", "invalid_credentials"),
        1
    );
    assert_eq!(
        stats.verifications_of("team_token", "invalid_credentials"),
        1
    );
    assert_eq!(stats.verifications_of("none", "missing_credentials"), 1);
    assert!(
        auth.health().await.ready,
        "nothing remote to be unready about"
    );
    assert_eq!(named(&records, "verification").len(), 5);
    assert_redacted(&records, &[admin, pepper, wrong_admin, team]);
}
