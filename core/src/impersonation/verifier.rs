//! Verifying impersonation and visitor tokens: HS256 only, the agent runtime's claim rules, JTI hooks.

use super::claims::{check_claims, TokenKind, VerifiedImpersonation};
use super::config::{ImpersonationConfig, MAX_TOKEN_BYTES};
use super::signer::unavailable;
use crate::error::{err, ErrorCode, Result};
use crate::jose::{jwt_header, parse_jws_known, Algorithm, KnownHeader};
use crate::jti::JtiStore;
use crate::observe::counters::{Counter, Counters, Kind, Latency};
use crate::observe::{events, Health, JtiStoreStats, Stats, StoreHealth, SLOW_CALL};
use crate::size_cap;
use crate::text::clip;
use crate::time::{unix_now, When};
use crate::verified_cache::{TokenKey, Verdict, VerifiedCache};
use aws_lc_rs::hmac;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// Verifies impersonation and visitor tokens.
#[derive(Clone)]
pub struct ImpersonationVerifier {
    config: ImpersonationConfig,
    key: hmac::Key,
    /// The header the signer writes: a token carrying it skips the header's parse.
    signers_header: KnownHeader,
    store: Option<Arc<dyn JtiStore>>,
    verified: Option<Arc<VerifiedCache<VerifiedImpersonation>>>,
    observed: Arc<Observed>,
}

/// What a verifier and its clones count.
#[derive(Debug, Default)]
struct Observed {
    counters: Counters,
    store_calls: Counter,
    store_failures: Counter,
    store_latency: Latency,
}

/// The kind a passed token is counted under.
fn kind_of(verified: &VerifiedImpersonation) -> Kind {
    match verified.kind {
        TokenKind::TeamImpersonation => Kind::Impersonation,
        TokenKind::Visitor => Kind::Visitor,
    }
}

/// The jti a health probe asks the store about; no token carries it.
const HEALTH_PROBE_JTI: &str = "incidentfox-auth-health-probe";

impl fmt::Debug for ImpersonationVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImpersonationVerifier")
            .field("config", &self.config)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl ImpersonationVerifier {
    /// A verifier; with `IMPERSONATION_JTI_DB_REQUIRE` (or single use) the store must be given.
    pub fn new(
        config: ImpersonationConfig,
        store: Option<Arc<dyn JtiStore>>,
    ) -> Result<ImpersonationVerifier> {
        config.validate()?;
        if config.needs_store_at_verify() && store.is_none() {
            return Err(err(
                ErrorCode::InvalidConfig,
                "the jti is required at verification but no jti store was given",
            ));
        }
        if config.single_use && store.as_ref().is_some_and(|s| !s.can_consume()) {
            return Err(err(
                ErrorCode::InvalidConfig,
                "single use needs a jti store with an atomic `consume` method; this store has none",
            ));
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, config.secret.expose());
        let signers_header = KnownHeader::of_json(&jwt_header(Algorithm::HS256, None)?)?;
        let verified = VerifiedCache::new(config.verified_cache).map(Arc::new);
        Ok(ImpersonationVerifier {
            config,
            key,
            signers_header,
            store,
            verified,
            observed: Arc::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ImpersonationConfig {
        &self.config
    }

    /// Verifies `token` now, consulting the JTI store when required.
    pub async fn verify(&self, token: &str) -> Result<VerifiedImpersonation> {
        // The cache holds the signature and claims verdict only: the JTI store is still asked
        // on every call when required, so a revocation on another replica counts at once.
        let result = match self.verify_signed_now(token) {
            Ok(verified) => self.check_store(verified).await,
            Err(e) => Err(e),
        };
        self.record(result)
    }

    /// Counts `result` and hands it back.
    fn record(&self, result: Result<VerifiedImpersonation>) -> Result<VerifiedImpersonation> {
        self.observed
            .counters
            .verifications
            .record_with(Kind::Impersonation, &result, kind_of);
        result
    }

    /// Verifies `token` now without awaiting anything: signature and claims, through the
    /// verified-token cache. A verifier that must consult the JTI store at verification
    /// (`IMPERSONATION_JTI_DB_REQUIRE` or single use) refuses with `invalid_config`, since only
    /// [`verify`](Self::verify) asks the store.
    pub fn verify_cached(&self, token: &str) -> Result<VerifiedImpersonation> {
        let result = self
            .refuse_if_store_needed()
            .and_then(|()| self.verify_signed_now(token));
        self.record(result)
    }

    /// [`verify_cached`](Self::verify_cached) or [`verify_cached_at`](Self::verify_cached_at),
    /// as `when` says.
    pub fn verify_cached_when(&self, token: &str, when: When) -> Result<VerifiedImpersonation> {
        match when {
            When::Now => self.verify_cached(token),
            When::At(now) => self.verify_cached_at(token, now),
        }
    }

    /// The verified-token cache's answer for `token` when answering needs no work at all: the
    /// token is cached and on time, and this verifier never asks a JTI store at verification.
    /// `None` otherwise; [`verify`](Self::verify) then does the rest.
    pub fn verify_hit(&self, token: &str) -> Option<VerifiedImpersonation> {
        if self.config.needs_store_at_verify() {
            return None;
        }
        let cache = self.verified.as_ref()?;
        // An oversized token is not hashed; `verify` refuses it.
        size_cap::check(token, MAX_TOKEN_BYTES).ok()?;
        let entry = cache.get(&TokenKey::of(token), unix_now())?;
        let verified = entry.value.clone();
        self.observed.counters.cache_hits.inc();
        self.observed
            .counters
            .verifications
            .record::<()>(kind_of(&verified), &Ok(()));
        Some(verified)
    }

    /// [`verify_hit`](Self::verify_hit) for `When::Now`; `None` for an explicit instant, which
    /// always takes the full path ([`verify_at`](Self::verify_at)) and never the cache.
    pub fn verify_hit_when(&self, token: &str, when: When) -> Option<VerifiedImpersonation> {
        match when {
            When::Now => self.verify_hit(token),
            When::At(_) => None,
        }
    }

    /// [`verify_cached`](Self::verify_cached) as of `now` (Unix seconds), never from the cache.
    pub fn verify_cached_at(&self, token: &str, now: f64) -> Result<VerifiedImpersonation> {
        let result = self
            .refuse_if_store_needed()
            .and_then(|()| self.verify_signed_at(token, now));
        self.record(result)
    }

    fn refuse_if_store_needed(&self) -> Result<()> {
        if self.config.needs_store_at_verify() {
            return Err(err(
                ErrorCode::InvalidConfig,
                "this verifier must ask the jti store; use the async verify",
            ));
        }
        Ok(())
    }

    /// Signature and claims now, answered from the verified-token cache when it holds `token`.
    fn verify_signed_now(&self, token: &str) -> Result<VerifiedImpersonation> {
        // Before the token is hashed for the cache.
        size_cap::check(token, MAX_TOKEN_BYTES)?;
        let now = unix_now();
        let Some(cache) = &self.verified else {
            return self.verify_signed_at(token, now);
        };
        let key = TokenKey::of(token);
        if let Some(entry) = cache.get(&key, now) {
            self.observed.counters.cache_hits.inc();
            return Ok(entry.value.clone());
        }
        self.observed.counters.cache_misses.inc();
        let fresh = self.verify_signed_at(token, now)?;
        let verdict = Verdict {
            value: fresh.clone(),
            valid_until: fresh.expires_at + self.config.leeway_seconds,
            kid: None,
            alg: None,
            // One secret per verifier: a verdict cannot outlive its key.
            key: None,
            jti: Some(fresh.jti.clone()),
        };
        cache.insert(key, verdict, now);
        Ok(fresh)
    }

    /// [`verify`](Self::verify) for `When::Now`, [`verify_at`](Self::verify_at) otherwise.
    pub async fn verify_when(&self, token: &str, when: When) -> Result<VerifiedImpersonation> {
        match when {
            When::Now => self.verify(token).await,
            When::At(now) => self.verify_at(token, now).await,
        }
    }

    /// Revokes `jti` in the store and drops its cached verdicts.
    pub async fn revoke(&self, jti: &str) -> Result<bool> {
        if let Some(cache) = &self.verified {
            cache.remove_jti(jti);
        }
        match &self.store {
            Some(store) => self.store_call("revoke", store.revoke(jti)).await,
            None => Ok(false),
        }
    }

    /// One JTI store call, counted, timed and reported when it fails or is slow.
    async fn store_call(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<bool>>,
    ) -> Result<bool> {
        let started = Instant::now();
        let outcome = call.await.map_err(|e| unavailable(&e));
        let took = started.elapsed();
        let observed = &self.observed;
        observed.store_calls.inc();
        observed.store_latency.observe(took);
        match &outcome {
            Err(e) => {
                observed.store_failures.inc();
                events::jti_store_failed(operation, e.code(), took);
            }
            Ok(_) if took >= SLOW_CALL => events::jti_store_slow(operation, took),
            Ok(_) => {}
        }
        outcome
    }

    /// This verifier's counters (shared with its clones), with its JTI store's.
    pub fn stats(&self) -> Stats {
        let observed = &self.observed;
        let mut stats = observed.counters.snapshot();
        stats.jti_store = self.store.as_ref().map(|_| JtiStoreStats {
            calls: observed.store_calls.get(),
            failures: observed.store_failures.get(),
            latency: observed.store_latency.snapshot(),
        });
        stats
    }

    /// Whether the JTI store (if any) answers a probe (`contains` of a jti no token carries).
    pub async fn health(&self) -> Health {
        let store = match &self.store {
            Some(store) => Some(
                match self
                    .store_call("contains", store.contains(HEALTH_PROBE_JTI))
                    .await
                {
                    Ok(_) => StoreHealth {
                        reachable: true,
                        code: None,
                    },
                    Err(e) => StoreHealth {
                        reachable: false,
                        code: Some(e.code().as_str()),
                    },
                },
            ),
            None => None,
        };
        Health::of(None, store)
    }

    /// Verifies `token` as of `now`, consulting the JTI store when required. The store is asked
    /// only after the signature and every claim passed; its failure fails closed
    /// (`jti_store_unavailable`).
    pub async fn verify_at(&self, token: &str, now: f64) -> Result<VerifiedImpersonation> {
        let result = match self.verify_signed_at(token, now) {
            Ok(verified) => self.check_store(verified).await,
            Err(e) => Err(e),
        };
        self.record(result)
    }

    /// The JTI hooks, after the signature and claims passed.
    async fn check_store(&self, verified: VerifiedImpersonation) -> Result<VerifiedImpersonation> {
        if let Some(store) = &self.store {
            if self.config.single_use {
                if !self
                    .store_call("consume", store.consume(&verified.jti))
                    .await?
                {
                    return Err(not_found(&verified.jti));
                }
            } else if self.config.jti_require
                && !self
                    .store_call("contains", store.contains(&verified.jti))
                    .await?
            {
                return Err(not_found(&verified.jti));
            }
        }
        Ok(verified)
    }

    /// Signature and claims only, as of `now`: **skips the JTI store**, so a token that was
    /// never recorded, was revoked or was already used still passes. Only for callers that do
    /// not require JTIs or that check them themselves (the conformance vectors, say); the name
    /// says so at every call site, as `jsonwebtoken`'s `dangerous` functions do.
    pub fn dangerous_verify_without_jti_store_at(
        &self,
        token: &str,
        now: f64,
    ) -> Result<VerifiedImpersonation> {
        self.verify_signed_at(token, now)
    }

    /// Signature and claims as of `now`, without the store: every verify starts here.
    fn verify_signed_at(&self, token: &str, now: f64) -> Result<VerifiedImpersonation> {
        size_cap::check(token, MAX_TOKEN_BYTES)?;
        let now = crate::time::checked_instant(now)?;
        let jws = parse_jws_known(token, &self.signers_header)?;
        if jws.header.alg != "HS256" {
            return Err(err(
                ErrorCode::AlgorithmNotAllowed,
                format!(
                    "algorithm `{}` is not allowed for impersonation tokens (HS256 only)",
                    clip(&jws.header.alg)
                ),
            ));
        }
        // Constant-time MAC check (aws-lc-rs).
        hmac::verify(
            &self.key,
            jws.signing_input.as_bytes(),
            jws.signature.bytes(),
        )
        .map_err(|_| err(ErrorCode::InvalidSignature, "signature does not verify"))?;
        check_claims(jws.payload, &self.config, now)
    }
}

fn not_found(jti: &str) -> crate::error::Error {
    err(
        ErrorCode::JtiNotFound,
        format!(
            "jti `{}` is not recorded (or was revoked or used)",
            clip(jti)
        ),
    )
}
