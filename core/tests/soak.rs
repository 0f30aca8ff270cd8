//! Soak: several workers verify tokens for a fixed time while the loopback JWKS server rotates
//! keys and injects faults (500s, timeouts, garbage), and the PostgreSQL JTI store restarts once
//! under strict minting. Asserts: zero false accepts; zero false rejects of tokens whose key is
//! current (or within `max_stale` during an outage); key-set fetches bounded by the cooldown; no
//! JTI lost. Reports p50/p99 latency.
//!
//! `SOAK_SECONDS` sets the length (the test command runs 6 s; `make soak` runs 60 s). Runs under
//! `scripts/with-postgres.sh`, which provides the database and `IFX_TEST_PG_CTL`.
#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/jwks_server.rs"]
mod jwks_server;
#[path = "support/postgres.rs"]
mod pg;

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jti::{JtiStore, PostgresJtiStore, PostgresSettings};
use incidentfox_auth::keys::FetchLimits;
use incidentfox_auth::time::unix_now;
use incidentfox_auth::{
    Algorithm, ErrorCode, JwksSettings, KeySource, OidcConfig, OidcValidator, SigningKey,
};
use jwks_server::{Fault, JwksServer};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ISSUER: &str = "https://idp.soak.test";
const COOLDOWN: Duration = Duration::from_millis(200);
const MAX_AGE: Duration = Duration::from_millis(1000);

/// What the workers may sign with, and what the verifier may know.
struct Keys {
    /// Keys published long enough that any verification must accept them.
    trusted: Vec<Arc<SigningKey>>,
    generation: u64,
}

#[derive(Default)]
struct Tally {
    verified: AtomicU64,
    false_accepts: AtomicU64,
    false_rejects: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
    failures: Mutex<Vec<String>>,
}

fn key(generation: u64) -> Arc<SigningKey> {
    Arc::new(
        SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid(format!("k{generation}")),
    )
}

fn claims(exp: f64) -> serde_json::Value {
    json!({"iss": ISSUER, "aud": "api", "sub": "soak", "iat": unix_now() - 1.0, "exp": exp})
}

fn soak_seconds() -> u64 {
    std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn soak() {
    let duration = Duration::from_secs(soak_seconds());
    let first = key(0);
    let server = JwksServer::start(&json!({"keys": [first.public_jwk()]})).await;
    let settings = JwksSettings {
        max_age: MAX_AGE,
        cooldown: COOLDOWN,
        max_stale: Duration::from_secs(30),
        fetch: FetchLimits {
            timeout: Duration::from_millis(300),
            max_body_bytes: 1 << 20,
        },
        ..JwksSettings::default()
    };
    let validator = Arc::new(
        OidcValidator::new(
            OidcConfig::new(ISSUER, "api", KeySource::Url(server.jwks_url()))
                .with_algorithms(vec![Algorithm::ES256])
                .with_jwks_settings(settings),
        )
        .unwrap(),
    );
    let keys = Arc::new(Mutex::new(Keys {
        trusted: vec![first.clone()],
        generation: 0,
    }));
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    // Workers: a valid token under a trusted key, a forgery, an expired token, in turn.
    let mut workers = Vec::new();
    for w in 0..4u64 {
        let (validator, keys, tally, stop) =
            (validator.clone(), keys.clone(), tally.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let attacker = SigningKey::generate(Algorithm::ES256).unwrap();
            let mut i = w;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let (signer, kid) = {
                    let k = keys.lock().unwrap();
                    let signer = k.trusted[(i as usize) % k.trusted.len()].clone();
                    let kid = signer.kid().unwrap_or_default().to_owned();
                    (signer, kid)
                };
                let fresh = claims(unix_now() + 300.0 + (i % 97) as f64);
                let (token, should_pass) = match i % 3 {
                    0 => (signer.sign_claims(&fresh).unwrap(), true),
                    1 => (
                        attacker
                            .sign_parts(
                                json!({"alg": "ES256", "typ": "JWT", "kid": kid})
                                    .to_string()
                                    .as_bytes(),
                                fresh.to_string().as_bytes(),
                            )
                            .unwrap(),
                        false,
                    ),
                    _ => (
                        signer.sign_claims(&claims(unix_now() - 120.0)).unwrap(),
                        false,
                    ),
                };
                let t0 = Instant::now();
                let outcome = validator.verify(&token).await;
                tally
                    .latencies_us
                    .lock()
                    .unwrap()
                    .push(t0.elapsed().as_micros() as u64);
                tally.verified.fetch_add(1, Ordering::Relaxed);
                match (should_pass, &outcome) {
                    (true, Err(e)) => {
                        tally.false_rejects.fetch_add(1, Ordering::Relaxed);
                        tally
                            .failures
                            .lock()
                            .unwrap()
                            .push(format!("rejected a current-key token ({kid}): {e}"));
                    }
                    (false, Ok(_)) => {
                        tally.false_accepts.fetch_add(1, Ordering::Relaxed);
                        tally
                            .failures
                            .lock()
                            .unwrap()
                            .push(format!("accepted a bad token ({kid})"));
                    }
                    _ => {}
                }
                tokio::task::yield_now().await;
            }
        }));
    }

    // The IdP: every cycle publish a new key (trusted once published for longer than the
    // cooldown), drop the oldest, and inject a fault for a while (no new key during a fault, so
    // everything trusted is in the last good set, served stale).
    let faults = [
        Fault::Status(500),
        Fault::Slow(Duration::from_millis(800)),
        Fault::Garbage,
    ];
    let idp = {
        let (keys, stop) = (keys.clone(), stop.clone());
        let server_jwks = move |published: &[Arc<SigningKey>]| json!({"keys": published.iter().map(|k| k.public_jwk()).collect::<Vec<_>>()});
        let server = &server;
        async move {
            let mut published = vec![first];
            let mut cycle = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let generation = keys.lock().unwrap().generation + 1;
                let next = key(generation);
                published.push(next.clone());
                if published.len() > 3 {
                    let dropped = published.remove(0);
                    keys.lock()
                        .unwrap()
                        .trusted
                        .retain(|k| k.kid() != dropped.kid());
                }
                server.set_jwks(&server_jwks(&published));
                tokio::time::sleep(COOLDOWN * 2).await;
                {
                    let mut k = keys.lock().unwrap();
                    k.trusted.push(next);
                    k.generation = generation;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                server.set_fault(faults[cycle % faults.len()].clone());
                tokio::time::sleep(Duration::from_millis(700)).await;
                server.set_fault(Fault::Normal);
                tokio::time::sleep(Duration::from_millis(300)).await;
                cycle += 1;
            }
        }
    };

    // Strict minting through PostgreSQL, with one restart in the middle.
    let store =
        Arc::new(PostgresJtiStore::connect(PostgresSettings::new(pg::database_url())).unwrap());
    store.migrate().await.unwrap();
    let mut config = ImpersonationConfig::new("soak-impersonation-secret-0123456789");
    config.jti_logging = true;
    config.jti_require = true;
    let shared: Arc<dyn JtiStore> = store.clone();
    let signer = ImpersonationSigner::new(config.clone(), Some(shared.clone())).unwrap();
    let org = pg::prefix("soak");
    let minted = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicU64::new(0));
    let minter = {
        let (stop, minted, refused, org) =
            (stop.clone(), minted.clone(), refused.clone(), org.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let request = ImpersonationRequest {
                    org_id: org.clone(),
                    team_node_id: "team".into(),
                    subject: format!("admin-{i}"),
                    email: None,
                    ttl_seconds: None,
                };
                match signer.mint(&request).await {
                    Ok(m) => minted.lock().unwrap().push(m),
                    Err(e) if e.code() == ErrorCode::JtiStoreUnavailable => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => panic!("unexpected mint error: {e}"),
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let restart = {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(duration / 3).await;
            let ctl = std::env::var("IFX_TEST_PG_CTL")
                .expect("IFX_TEST_PG_CTL: run under scripts/with-postgres.sh");
            let run = |action: &'static str| {
                let ctl = ctl.clone();
                tokio::task::spawn_blocking(move || {
                    std::process::Command::new(ctl)
                        .arg(action)
                        .status()
                        .unwrap()
                })
            };
            assert!(run("stop").await.unwrap().success());
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert!(run("start").await.unwrap().success());
            drop(stop);
        })
    };

    tokio::select! {
        _ = idp => {}
        _ = tokio::time::sleep(duration) => {}
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    minter.await.unwrap();
    restart.await.unwrap();
    let elapsed = started.elapsed();

    // No JTI lost: every token handed out is in the table and verifies after the restart.
    let verifier = ImpersonationVerifier::new(config, Some(shared)).unwrap();
    let minted = minted.lock().unwrap().clone();
    for m in &minted {
        assert!(
            store.contains(&m.jti).await.unwrap(),
            "jti {} was handed out but not recorded",
            m.jti
        );
    }
    for m in minted.iter().step_by(25) {
        assert!(verifier.verify(&m.token).await.is_ok());
    }

    let mut latencies = tally.latencies_us.lock().unwrap().clone();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    let fetches = server.jwks_hits();
    // Each refetch is either a cooldown-limited unknown-kid or failure retry, or a max_age refresh.
    let bound = (elapsed.as_secs_f64() / COOLDOWN.as_secs_f64()) as u64
        + (elapsed.as_secs_f64() / (MAX_AGE.as_secs_f64() * 0.5)) as u64
        + 5;
    println!(
        "soak: {:.1} s, {} verifications (p50 {} µs, p99 {} µs), {} false accepts, {} false rejects, \
         {} jwks fetches (bound {}), {} tokens minted, {} mints refused during the restart",
        elapsed.as_secs_f64(),
        tally.verified.load(Ordering::Relaxed),
        pct(0.5),
        pct(0.99),
        tally.false_accepts.load(Ordering::Relaxed),
        tally.false_rejects.load(Ordering::Relaxed),
        fetches,
        bound,
        minted.len(),
        refused.load(Ordering::Relaxed),
    );
    let failures = tally.failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(tally.verified.load(Ordering::Relaxed) > 100);
    assert!(
        fetches <= bound,
        "{fetches} key-set fetches, more than the cooldown allows ({bound})"
    );
    assert!(!minted.is_empty());
}
