//! The remote key set end to end: an [`OidcValidator`] fetching a JWKS over real HTTP from a local
//! server, through URL and discovery configuration, with IdP faults, stale serving, key rotation,
//! unknown-kid stampedes, background refresh and symmetric keys.
//!
//! Durations are short but every timing assertion keeps a margin of at least 2-3x the configured
//! value, and waits for asynchronous effects poll with a deadline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/jwks_server.rs"]
mod jwks_server;

use incidentfox_auth::keys::FetchLimits;
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{
    Algorithm, Error, ErrorCode, JwksSettings, KeySource, OidcConfig, OidcValidator, SigningKey,
    VerifiedToken,
};
use jwks_server::{Fault, JwksServer};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const AUDIENCE: &str = "incidentfox-api";
const SUBJECT: &str = "user-1";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Short settings: fresh for 30 s (no expiry during a test), cooldown 300 ms, stale window 30 s,
/// no background refresh, 300 ms deadline, 1 MiB body cap. Tests override what they exercise.
fn short() -> JwksSettings {
    JwksSettings {
        max_age: Duration::from_secs(30),
        cooldown: ms(300),
        max_stale: Duration::from_secs(30),
        refresh_ahead: 1.0,
        fetch: FetchLimits {
            timeout: ms(300),
            max_body_bytes: 1024 * 1024,
        },
    }
}

fn validator(issuer: &str, keys: KeySource, settings: JwksSettings) -> OidcValidator {
    OidcValidator::new(
        OidcConfig::new(issuer, AUDIENCE, keys)
            .with_algorithms(vec![Algorithm::ES256])
            .with_jwks_settings(settings),
    )
    .unwrap()
}

/// A validator fetching `server`'s `/jwks` directly; the issuer is the server's base URL.
fn by_url(server: &JwksServer, settings: JwksSettings) -> OidcValidator {
    validator(
        &server.base_url(),
        KeySource::Url(server.jwks_url()),
        settings,
    )
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
    let now = unix_now();
    key.sign_claims(&json!({
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": SUBJECT,
        "iat": now.floor(),
        "exp": now.floor() + 600.0,
    }))
    .unwrap()
}

fn fetches(v: &OidcValidator) -> u64 {
    v.jwks_cache().unwrap().fetch_count()
}

fn generation(v: &OidcValidator) -> u64 {
    v.jwks_cache().unwrap().cached().unwrap().generation
}

#[track_caller]
fn assert_ok(result: &Result<VerifiedToken, Error>) {
    match result {
        Ok(verified) => assert_eq!(verified.identity().subject, SUBJECT),
        Err(e) => panic!("expected the token to verify, got {e}"),
    }
}

#[track_caller]
fn assert_code(result: Result<VerifiedToken, Error>, code: ErrorCode) -> Error {
    match result {
        Ok(_) => panic!("expected {code}, but the token verified"),
        Err(e) => {
            assert_eq!(e.code(), code, "unexpected error: {e}");
            e
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns whether it held.
async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(ms(10)).await;
    }
}

/// Sleeps until `instant` (no-op when it has passed).
async fn sleep_until(instant: Instant) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(instant)).await;
}

// 1. Happy path -------------------------------------------------------------------------------

#[tokio::test]
async fn verifies_by_url_and_caches_the_set() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = by_url(&server, short());
    let t = token(&a, &server.base_url());

    assert_ok(&v.verify(&t).await);
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.jwks_hits(), 1);

    // The second verification is served from the cache.
    assert_ok(&v.verify(&t).await);
    assert_ok(&v.verify_cached(&t));
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(server.discovery_hits(), 0);
    assert_eq!(server.other_hits(), 0);
}

#[tokio::test]
async fn verifies_by_discovery_and_caches_the_set() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = validator(&server.base_url(), KeySource::Discovery, short());
    let t = token(&a, &server.base_url());

    assert_ok(&v.verify(&t).await);
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.discovery_hits(), 1);
    assert_eq!(server.jwks_hits(), 1);

    assert_ok(&v.verify(&t).await);
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.discovery_hits(), 1);
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(server.other_hits(), 0);
}

#[tokio::test]
async fn discovery_naming_another_issuer_is_refused() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    server.set_discovery_issuer(Some("https://evil.example.com".into()));
    let v = validator(&server.base_url(), KeySource::Discovery, short());

    let e = assert_code(
        v.verify(&token(&a, &server.base_url())).await,
        ErrorCode::JwksUnavailable,
    );
    assert!(e.message().contains("different issuer"), "{e}");
    // The jwks_uri of a document for another issuer is never fetched.
    assert_eq!(server.discovery_hits(), 1);
    assert_eq!(server.jwks_hits(), 0);
}

#[tokio::test]
async fn discovery_outage_is_jwks_unavailable() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    server.set_discovery_fault(Fault::Status(503));
    let v = validator(&server.base_url(), KeySource::Discovery, short());

    let e = assert_code(
        v.verify(&token(&a, &server.base_url())).await,
        ErrorCode::JwksUnavailable,
    );
    assert!(e.message().contains("status 503"), "{e}");
    assert_eq!(server.jwks_hits(), 0);
}

// 2. Faults on the first fetch ----------------------------------------------------------------

/// Cooldown long enough that the repeated verifications below all fall inside it.
fn fault_settings() -> JwksSettings {
    JwksSettings {
        cooldown: Duration::from_secs(5),
        ..short()
    }
}

/// Starts a server in `fault` mode and checks that the first verification fails with
/// `jwks_unavailable`, and that verifications during the cooldown do not hit the IdP again.
async fn first_fetch_fails(fault: Fault, settings: JwksSettings) -> (JwksServer, Error, Duration) {
    first_fetch_fails_for(&key("a"), fault, settings).await
}

/// [`first_fetch_fails`] with a token signed by `a`, which the (healthy) server would serve.
async fn first_fetch_fails_for(
    a: &SigningKey,
    fault: Fault,
    settings: JwksSettings,
) -> (JwksServer, Error, Duration) {
    let server = JwksServer::start(&jwks_of(&[a])).await;
    server.set_fault(fault);
    let v = by_url(&server, settings);
    let t = token(a, &server.base_url());

    let started = Instant::now();
    let e = assert_code(v.verify(&t).await, ErrorCode::JwksUnavailable);
    let took = started.elapsed();
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.jwks_hits(), 1);
    assert!(v.verify_cached(&t).is_err());

    // A failing IdP is not hammered: within the cooldown nothing is fetched again.
    for _ in 0..5 {
        let again = assert_code(v.verify(&t).await, ErrorCode::JwksUnavailable);
        assert_eq!(again.message(), e.message());
    }
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.jwks_hits(), 1);
    (server, e, took)
}

#[tokio::test]
async fn status_500_is_jwks_unavailable() {
    let (_server, e, _) = first_fetch_fails(Fault::Status(500), fault_settings()).await;
    assert!(e.message().contains("status 500"), "{e}");
}

#[tokio::test]
async fn slow_answer_beyond_the_timeout_is_jwks_unavailable() {
    // The server answers after 1.5 s; the client gives up at 300 ms.
    let (_server, e, took) = first_fetch_fails(Fault::Slow(ms(1500)), fault_settings()).await;
    assert!(e.message().contains("timed out"), "{e}");
    assert!(
        took < ms(1200),
        "the verifier waited {took:?} for a slow idp"
    );
}

#[tokio::test]
async fn body_trickling_beyond_the_timeout_is_jwks_unavailable() {
    // Headers arrive at once; the body one byte every 100 ms. The deadline covers the body too.
    let (_server, e, took) = first_fetch_fails(Fault::Trickle(ms(100)), fault_settings()).await;
    assert!(e.message().contains("timed out"), "{e}");
    assert!(
        took < ms(1200),
        "the verifier waited {took:?} for a trickling body"
    );
}

#[tokio::test]
async fn garbage_body_is_jwks_unavailable() {
    let (_server, e, _) = first_fetch_fails(Fault::Garbage, fault_settings()).await;
    assert!(e.message().contains("served key set was rejected"), "{e}");
}

#[tokio::test]
async fn huge_body_with_content_length_is_jwks_unavailable() {
    let settings = JwksSettings {
        fetch: FetchLimits {
            timeout: Duration::from_secs(2),
            max_body_bytes: 1024 * 1024,
        },
        ..fault_settings()
    };
    let (_server, e, _) = first_fetch_fails(Fault::Huge, settings).await;
    assert!(e.message().contains("body is over 1048576 bytes"), "{e}");
}

#[tokio::test]
async fn huge_chunked_body_is_jwks_unavailable() {
    let settings = JwksSettings {
        fetch: FetchLimits {
            timeout: Duration::from_secs(2),
            max_body_bytes: 1024 * 1024,
        },
        ..fault_settings()
    };
    let (_server, e, _) = first_fetch_fails(Fault::HugeChunked, settings).await;
    assert!(e.message().contains("body is over 1048576 bytes"), "{e}");
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let a = key("a");
    // The redirect target serves a perfectly valid key set for the token.
    let target = JwksServer::start(&jwks_of(&[&a])).await;
    let (server, e, _) =
        first_fetch_fails_for(&a, Fault::Redirect(target.jwks_url()), fault_settings()).await;
    assert!(e.message().contains("status 302"), "{e}");
    assert_eq!(server.jwks_hits(), 1);
    assert_eq!(target.jwks_hits(), 0);
    assert_eq!(target.discovery_hits() + target.other_hits(), 0);
}

#[tokio::test]
async fn connection_refused_is_jwks_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let v = validator(
        &base,
        KeySource::Url(format!("{base}/jwks")),
        fault_settings(),
    );
    let a = key("a");
    let e = assert_code(
        v.verify(&token(&a, &base)).await,
        ErrorCode::JwksUnavailable,
    );
    assert!(e.message().contains("could not connect"), "{e}");
    assert_eq!(fetches(&v), 1);
    assert_code(
        v.verify(&token(&a, &base)).await,
        ErrorCode::JwksUnavailable,
    );
    assert_eq!(fetches(&v), 1);
}

// 3. Stale serving ----------------------------------------------------------------------------

#[tokio::test]
async fn serves_the_stale_set_then_fails_closed() {
    let settings = JwksSettings {
        max_age: ms(300),
        max_stale: ms(1200),
        cooldown: ms(400),
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = by_url(&server, settings);
    let t = token(&a, &server.base_url());

    let started = Instant::now();
    assert_ok(&v.verify(&t).await);
    let fetched = Instant::now();
    assert_eq!(server.jwks_hits(), 1);

    server.set_fault(Fault::Status(500));

    // Past max_age (300 ms), well within max_age + max_stale (1500 ms): the last good set is
    // served at once while a background refetch runs (and fails).
    sleep_until(fetched + ms(700)).await;
    assert_ok(&v.verify(&t).await);
    assert!(
        started.elapsed() < ms(1200),
        "test too slow to be meaningful"
    );
    assert!(eventually(ms(2000), || server.jwks_hits() == 2).await);
    assert_eq!(fetches(&v), 2);
    // Within the cooldown after that failure the IdP is left alone.
    assert_ok(&v.verify(&t).await);
    assert_ok(&v.verify_cached(&t));
    assert_eq!(server.jwks_hits(), 2);

    // Past max_age + max_stale: fail closed.
    sleep_until(started + ms(1500 + 500)).await;
    let e = assert_code(v.verify(&t).await, ErrorCode::JwksUnavailable);
    assert!(e.message().contains("status 500"), "{e}");
    assert_code(v.verify_cached(&t), ErrorCode::JwksUnavailable);

    // The IdP recovers: after the cooldown the next verification fetches and succeeds.
    server.set_fault(Fault::Normal);
    let failed_at = Instant::now();
    sleep_until(failed_at + ms(900)).await;
    assert_ok(&v.verify(&t).await);
    assert_ok(&v.verify_cached(&t));
}

// 4. Key rotation -----------------------------------------------------------------------------

#[tokio::test]
async fn rotation_refetches_once_and_unknown_kids_respect_the_cooldown() {
    let settings = JwksSettings {
        cooldown: ms(300),
        ..short()
    };
    let a = key("a");
    let b = key("b");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = by_url(&server, settings);
    let issuer = server.base_url();

    assert_ok(&v.verify(&token(&a, &issuer)).await);
    assert_eq!(fetches(&v), 1);

    // The IdP rotates in key B. Once the cooldown since the last fetch has passed, the first
    // token signed with B triggers exactly one refetch and verifies.
    server.set_jwks(&jwks_of(&[&a, &b]));
    tokio::time::sleep(ms(900)).await;
    assert_ok(&v.verify(&token(&b, &issuer)).await);
    assert_eq!(fetches(&v), 2);
    assert_eq!(server.jwks_hits(), 2);
    assert_ok(&v.verify(&token(&b, &issuer)).await);
    assert_ok(&v.verify(&token(&a, &issuer)).await);
    assert_eq!(fetches(&v), 2);
    assert_eq!(server.jwks_hits(), 2);

    // A kid that exists nowhere: one refetch (the cooldown has passed), then unknown_key_id.
    tokio::time::sleep(ms(900)).await;
    let e = assert_code(
        v.verify(&token(&key("nowhere-1"), &issuer)).await,
        ErrorCode::UnknownKeyId,
    );
    assert!(e.message().contains("nowhere-1"), "{e}");
    assert_eq!(fetches(&v), 3);
    assert_eq!(server.jwks_hits(), 3);
    // A second unknown kid within the cooldown causes no fetch.
    assert_code(
        v.verify(&token(&key("nowhere-2"), &issuer)).await,
        ErrorCode::UnknownKeyId,
    );
    assert_eq!(fetches(&v), 3);
    assert_eq!(server.jwks_hits(), 3);
}

// 5. Stampede ---------------------------------------------------------------------------------

const STAMPEDE: usize = 1000;

/// `STAMPEDE` tokens, each with its own kid that no key set holds.
fn unknown_kid_tokens(issuer: &str, tag: &str) -> Vec<String> {
    let signer = SigningKey::generate(Algorithm::ES256).unwrap();
    let now = unix_now().floor();
    (0..STAMPEDE)
        .map(|i| {
            let header = json!({"alg": "ES256", "typ": "JWT", "kid": format!("{tag}-{i}")});
            let claims =
                json!({"iss": issuer, "aud": AUDIENCE, "sub": SUBJECT, "exp": now + 600.0});
            signer
                .sign_parts(header.to_string().as_bytes(), claims.to_string().as_bytes())
                .unwrap()
        })
        .collect()
}

/// Verifies every token concurrently on the runtime's worker threads.
async fn burst(v: &Arc<OidcValidator>, tokens: Vec<String>) -> Vec<Result<VerifiedToken, Error>> {
    let handles: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&t).await })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

fn assert_all_unknown(results: Vec<Result<VerifiedToken, Error>>) {
    assert_eq!(results.len(), STAMPEDE);
    for result in results {
        assert_code(result, ErrorCode::UnknownKeyId);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stampede_of_unknown_kids_on_a_warm_cache_fetches_at_most_once() {
    let settings = JwksSettings {
        cooldown: Duration::from_secs(30),
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = Arc::new(by_url(&server, settings));
    let issuer = server.base_url();
    assert_ok(&v.verify(&token(&a, &issuer)).await);
    assert_eq!(fetches(&v), 1);

    let tokens = unknown_kid_tokens(&issuer, "stranger");
    assert_all_unknown(burst(&v, tokens).await);
    let caused = fetches(&v) - 1;
    assert!(caused <= 1, "{caused} fetches during one cooldown window");
    assert_eq!(server.jwks_hits(), 1 + caused);
    // The cache still verifies good tokens.
    assert_ok(&v.verify(&token(&a, &issuer)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stampede_after_the_cooldown_shares_one_fetch() {
    let cooldown = ms(1500);
    let settings = JwksSettings {
        cooldown,
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = Arc::new(by_url(&server, settings));
    let issuer = server.base_url();
    let tokens = unknown_kid_tokens(&issuer, "stranger");
    assert_ok(&v.verify(&token(&a, &issuer)).await);
    let warmed = Instant::now();

    // The cooldown has passed: the burst may refetch, and its callers share that one fetch.
    sleep_until(warmed + cooldown + ms(200)).await;
    let started = Instant::now();
    assert_all_unknown(burst(&v, tokens).await);
    let took = started.elapsed();
    let caused = fetches(&v) - 1;
    assert_eq!(server.jwks_hits(), 1 + caused);
    assert!(
        caused >= 1,
        "an unknown kid after the cooldown must refetch"
    );
    if took < cooldown {
        assert_eq!(caused, 1, "the burst took {took:?}");
    }
    // Whatever the timing, no two fetches are closer together than the cooldown (with a little
    // slack for the time between the client's attempt and the server's receipt).
    let times = server.jwks_request_times();
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap + ms(100) >= cooldown, "two fetches {gap:?} apart");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stampede_on_a_cold_cache_shares_one_fetch() {
    let settings = JwksSettings {
        cooldown: Duration::from_secs(30),
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = Arc::new(by_url(&server, settings));
    let issuer = server.base_url();

    assert_all_unknown(burst(&v, unknown_kid_tokens(&issuer, "cold")).await);
    assert_eq!(fetches(&v), 1);
    assert_eq!(server.jwks_hits(), 1);
    assert_ok(&v.verify(&token(&a, &issuer)).await);
    assert_eq!(server.jwks_hits(), 1);
}

// 6. Background refresh -----------------------------------------------------------------------

#[tokio::test]
async fn refreshes_in_the_background_before_max_age() {
    // Refresh-ahead window: 750 ms .. 1500 ms after the fetch.
    let settings = JwksSettings {
        max_age: ms(1500),
        refresh_ahead: 0.5,
        cooldown: ms(100),
        fetch: FetchLimits {
            timeout: Duration::from_secs(3),
            max_body_bytes: 1024 * 1024,
        },
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let v = by_url(&server, settings);
    let t = token(&a, &server.base_url());

    let started = Instant::now();
    assert_ok(&v.verify(&t).await);
    let fetched = Instant::now();
    assert_eq!(generation(&v), 1);

    // The refresh will take 500 ms at the IdP: a verification that waited for it would show.
    server.set_fault(Fault::Slow(ms(500)));
    sleep_until(fetched + ms(1000)).await;
    let before = Instant::now();
    assert_ok(&v.verify(&t).await);
    let took = before.elapsed();
    assert!(
        before.duration_since(started) < ms(1500),
        "test too slow to land in the refresh-ahead window"
    );
    assert!(
        took < ms(300),
        "verification waited {took:?} for the refresh"
    );

    // The background fetch reaches the IdP shortly after, and its result is installed.
    assert!(eventually(Duration::from_secs(2), || server.jwks_hits() == 2).await);
    assert!(eventually(Duration::from_secs(2), || generation(&v) == 2).await);
    assert_eq!(fetches(&v), 2);
    assert_ok(&v.verify(&t).await);
    assert_eq!(server.jwks_hits(), 2);
}

// 7. Symmetric keys ---------------------------------------------------------------------------

fn oct_jwk(kid: &str) -> Value {
    json!({
        "kty": "oct",
        "kid": kid,
        "alg": "HS256",
        "k": "c2hhcmVkLXNlY3JldC1zaGFyZWQtc2VjcmV0LXNoYXJlZC1zZWNyZXQ",
    })
}

#[tokio::test]
async fn symmetric_key_in_the_set_is_dropped() {
    let a = key("a");
    let mut document = jwks_of(&[&a]);
    document["keys"]
        .as_array_mut()
        .unwrap()
        .push(oct_jwk("shared"));
    let server = JwksServer::start(&document).await;
    let v = by_url(&server, short());
    let issuer = server.base_url();

    assert_ok(&v.verify(&token(&a, &issuer)).await);
    let set = v.cached_key_set().unwrap();
    assert_eq!(set.keys().len(), 1);
    assert!(!set.contains_kid("shared"));
    let dropped = set.dropped();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].kid.as_deref(), Some("shared"));
    assert!(dropped[0].reason.contains("symmetric"), "{dropped:?}");

    // A token naming the dropped key's kid finds no key.
    let e = assert_code(
        v.verify(&token(&key("shared"), &issuer)).await,
        ErrorCode::UnknownKeyId,
    );
    assert!(e.message().contains("shared"), "{e}");
    // An HMAC token never gets as far as the key set.
    let hmac = SigningKey::hmac(
        Algorithm::HS256,
        b"shared-secret-shared-secret-shared-secret",
    )
    .unwrap()
    .with_kid("shared");
    assert_code(
        v.verify(&token(&hmac, &issuer)).await,
        ErrorCode::AlgorithmNotAllowed,
    );
}

#[tokio::test]
async fn set_with_only_a_symmetric_key_is_rejected() {
    let a = key("a");
    let server = JwksServer::start(&json!({ "keys": [oct_jwk("shared")] })).await;
    let v = by_url(&server, fault_settings());

    let e = assert_code(
        v.verify(&token(&a, &server.base_url())).await,
        ErrorCode::JwksUnavailable,
    );
    assert!(e.message().contains("served key set was rejected"), "{e}");
    assert!(e.message().contains("symmetric"), "{e}");
    assert_eq!(server.jwks_hits(), 1);
    assert_code(
        v.verify_cached(&token(&a, &server.base_url())),
        ErrorCode::JwksUnavailable,
    );
}

// 8. Extreme settings -------------------------------------------------------------------------

/// The longest stale window allowed serves the last good set once it is past `max_age`;
/// "serve stale forever" (`max_stale: Duration::MAX`), "never expire" (`max_age:
/// Duration::MAX`) and a NaN `refresh_ahead` are refused at construction (`invalid_config`).
#[tokio::test]
async fn unbounded_or_odd_settings_are_refused() {
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    let t = token(&a, &server.base_url());

    let stale_forever = by_url(
        &server,
        JwksSettings {
            max_age: ms(100),
            max_stale: Duration::from_secs(7 * 86_400),
            ..short()
        },
    );
    assert_ok(&stale_forever.verify(&t).await);
    server.set_fault(Fault::Status(500));
    tokio::time::sleep(ms(400)).await;
    assert_ok(&stale_forever.verify(&t).await);
    assert_ok(&stale_forever.verify_cached(&t));
    server.set_fault(Fault::Normal);

    for settings in [
        JwksSettings {
            max_age: Duration::MAX,
            max_stale: Duration::MAX,
            ..short()
        },
        JwksSettings {
            refresh_ahead: f64::NAN,
            ..short()
        },
    ] {
        let config = OidcConfig::new(
            server.base_url(),
            AUDIENCE,
            KeySource::Url(server.jwks_url()),
        )
        .with_algorithms(vec![Algorithm::ES256])
        .with_jwks_settings(settings);
        let e = OidcValidator::new(config).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
    }
}

// Callers queued behind a slow, failing fetch share its failure ------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_behind_a_hanging_idp_share_one_failed_fetch() {
    // The deadline (300 ms) is longer than the cooldown (100 ms): the cooldown must still count
    // from the end of the failed attempt, or each queued caller would fetch in turn.
    let settings = JwksSettings {
        cooldown: ms(100),
        ..short()
    };
    let a = key("a");
    let server = JwksServer::start(&jwks_of(&[&a])).await;
    server.set_fault(Fault::Slow(ms(1000)));
    let v = Arc::new(by_url(&server, settings));
    let tokens: Vec<String> = (0..5).map(|_| token(&a, &server.base_url())).collect();
    let handles: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&t).await })
        })
        .collect();
    for handle in handles {
        assert_code(handle.await.unwrap(), ErrorCode::JwksUnavailable);
    }
    assert_eq!(fetches(&v), 1);
}
