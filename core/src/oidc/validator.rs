//! The OIDC token validator: strict parsing, key selection, signature, claims, identity.

use super::claims::{check_oidc_claims, identity, FieldPlan, OidcFields};
use super::config::{ClaimNames, KeySource, OidcConfig};
pub use super::verified::VerifiedToken;
use crate::error::{err, ErrorCode, Result};
use crate::jose::claims::{date_claim, Claims};
use crate::jose::{json, parse_jws, Algorithm, Jws};
use crate::keys::{unknown_key, CachedSet, JwksCache, KeyPolicy, KeySet, RemoteSource};
use crate::observe::counters::{Counters, Kind};
use crate::observe::{Health, Stats};
use crate::size_cap;
use crate::text::clip;
use crate::time::{unix_now, When};
use crate::verified_cache::{TokenKey, Verdict, VerifiedCache};
use std::sync::Arc;

#[derive(Debug)]
enum Keys {
    Static(Arc<KeySet>),
    Remote(JwksCache),
}

/// Validates OIDC access and ID tokens against one issuer.
///
/// Cheap to share: wrap it in an `Arc` (or clone the config and build another).
#[derive(Debug)]
pub struct OidcValidator {
    config: OidcConfig,
    /// The identity's claim names, shared with the tokens a cache hit returns.
    names: Arc<ClaimNames>,
    /// The claims this configuration reads, for the one-pass reader (`None`: the parsed map).
    plan: Option<Arc<FieldPlan>>,
    keys: Keys,
    verified: Option<VerifiedCache<()>>,
    counters: Counters,
}

const OIDC: Kind = Kind::Oidc;

/// A verification's result with the key binding the cache records.
struct Checked {
    verified: VerifiedToken,
    kid: Option<String>,
    alg: Algorithm,
    /// The fingerprint of the key that verified it.
    key: [u8; 32],
    /// Its `exp` and `iat`, which bound how long the verdict is cached.
    times: Times,
}

/// A verified token's `exp` and `iat`.
#[derive(Clone, Copy)]
struct Times {
    exp: Option<f64>,
    iat: Option<f64>,
}

impl Times {
    /// The times of claims that passed the rules (which checked their types).
    fn of(claims: &impl Claims) -> Times {
        let date = |name: &str| date_claim(claims.claim(name), name).ok().flatten();
        Times {
            exp: date("exp"),
            iat: date("iat"),
        }
    }
}

impl OidcValidator {
    /// Builds a validator. Configuration problems are reported all at once (`invalid_config`); an
    /// inline key set is parsed now (`invalid_key` when no key is usable); a remote one on first
    /// use.
    pub fn new(config: OidcConfig) -> Result<OidcValidator> {
        config.validate()?;
        let policy = KeyPolicy {
            algorithms: config.algorithms.clone(),
            allow_symmetric: false,
        };
        let keys = match &config.keys {
            KeySource::Inline(document) => Keys::Static(Arc::new(KeySet::from_jwks_json(
                document.as_bytes(),
                &policy,
            )?)),
            KeySource::Url(url) => Keys::Remote(JwksCache::new(
                RemoteSource::jwks_url(url)?,
                policy,
                config.jwks,
            )?),
            KeySource::Discovery => {
                crate::http::check_url(&config.issuer)?;
                Keys::Remote(JwksCache::new(
                    RemoteSource::Discovery(config.issuer.clone()),
                    policy,
                    config.jwks,
                )?)
            }
        };
        let verified = VerifiedCache::new(config.verified_cache);
        Ok(OidcValidator {
            names: Arc::new(config.claims.clone()),
            plan: FieldPlan::of(&config).map(Arc::new),
            config,
            keys,
            verified,
            counters: Counters::default(),
        })
    }

    /// The configuration this validator enforces.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The remote key cache, when keys are fetched.
    pub fn jwks_cache(&self) -> Option<&JwksCache> {
        match &self.keys {
            Keys::Remote(cache) => Some(cache),
            Keys::Static(_) => None,
        }
    }

    /// The key set as loaded (inline) or as last fetched, without touching the network.
    pub fn cached_key_set(&self) -> Result<Arc<KeySet>> {
        match &self.keys {
            Keys::Static(set) => Ok(set.clone()),
            Keys::Remote(cache) => cache.cached().map(|c| c.set),
        }
    }

    /// Verifies `token` now, fetching keys when needed. A token verified before is answered
    /// from the verified-token cache while it is on time and its key is still in the set.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken> {
        let result = self.verify_now(token).await;
        self.counters.verifications.record(OIDC, &result);
        result
    }

    async fn verify_now(&self, token: &str) -> Result<VerifiedToken> {
        // Before anything can drive a fetch (a cold or stale set, an unknown kid).
        size_cap::check(token, self.config.max_token_bytes)?;
        let now = unix_now();
        match &self.keys {
            Keys::Static(set) => self.verify_remembered(token, set, now),
            Keys::Remote(cache) => {
                // The set as a full verification sees it, so a hit still drives the background
                // refresh and the stale window.
                let CachedSet { set, generation } = cache.current().await?;
                let key = self.cache_key(token);
                if let Some(hit) = self.cache_hit(token, key.as_ref(), &set, now) {
                    self.counters.cache_hits.inc();
                    return Ok(hit);
                }
                self.count_miss(key.as_ref());
                let checked = match self.check(token, &set, now) {
                    // Key selection is the only source of `unknown_key_id`, so a miss is retried
                    // once against a refetched set without selecting twice on the hit path.
                    Err(e) if e.code() == ErrorCode::UnknownKeyId => {
                        let fresh = cache.refresh_for_unknown_kid(generation).await?;
                        self.check(token, &fresh.set, now)?
                    }
                    outcome => outcome?,
                };
                Ok(self.remember(key, checked, now))
            }
        }
    }

    /// Verifies `token` as of `now` (Unix seconds), fetching keys when needed. Never answered
    /// from the verified-token cache.
    pub async fn verify_at(&self, token: &str, now: f64) -> Result<VerifiedToken> {
        let result = self.verify_at_unrecorded(token, now).await;
        self.counters.verifications.record(OIDC, &result);
        result
    }

    async fn verify_at_unrecorded(&self, token: &str, now: f64) -> Result<VerifiedToken> {
        let now = crate::time::checked_instant(now)?;
        let (jws, alg) = self.parse(token)?;
        match &self.keys {
            Keys::Static(set) => self.finish(&jws, alg, set, now),
            Keys::Remote(cache) => {
                let CachedSet { set, generation } = cache.current().await?;
                match self.finish(&jws, alg, &set, now) {
                    Err(e) if e.code() == ErrorCode::UnknownKeyId => {
                        let fresh = cache.refresh_for_unknown_kid(generation).await?;
                        self.finish(&jws, alg, &fresh.set, now)
                    }
                    outcome => outcome,
                }
            }
        }
    }

    /// The verified-token cache's answer for `token` when answering needs no work at all: the
    /// token is cached, on time, and its key is in a key set that needs no refresh (inline, or
    /// fetched and still fresh). `None` otherwise; [`verify`](Self::verify) then does the rest.
    /// For callers that hand verification to another thread: a hit is answered where it is.
    pub fn verify_hit(&self, token: &str) -> Option<VerifiedToken> {
        let set = match &self.keys {
            Keys::Static(set) => Arc::clone(set),
            Keys::Remote(cache) => cache.fresh()?.set,
        };
        let key = self.cache_key(token)?;
        let hit = self.cache_hit(token, Some(&key), &set, unix_now())?;
        self.counters.cache_hits.inc();
        self.counters.verifications.record::<()>(OIDC, &Ok(()));
        Some(hit)
    }

    /// [`verify_hit`](Self::verify_hit) for `When::Now`; `None` for an explicit instant, which
    /// always takes the full path ([`verify_at`](Self::verify_at)) and never the cache.
    pub fn verify_hit_when(&self, token: &str, when: When) -> Option<VerifiedToken> {
        match when {
            When::Now => self.verify_hit(token),
            When::At(_) => None,
        }
    }

    /// [`verify`](Self::verify) or [`verify_at`](Self::verify_at), as `when` says.
    pub async fn verify_when(&self, token: &str, when: When) -> Result<VerifiedToken> {
        match when {
            When::Now => self.verify(token).await,
            When::At(now) => self.verify_at(token, now).await,
        }
    }

    /// Verifies `token` now using only keys already loaded; never touches the network. Answered
    /// from the verified-token cache as [`verify`](Self::verify) is.
    pub fn verify_cached(&self, token: &str) -> Result<VerifiedToken> {
        let result = size_cap::check(token, self.config.max_token_bytes)
            .and_then(|()| self.cached_key_set())
            .and_then(|set| self.verify_remembered(token, &set, unix_now()));
        self.counters.verifications.record(OIDC, &result);
        result
    }

    /// [`verify_cached`](Self::verify_cached) or [`verify_cached_at`](Self::verify_cached_at),
    /// as `when` says.
    pub fn verify_cached_when(&self, token: &str, when: When) -> Result<VerifiedToken> {
        match when {
            When::Now => self.verify_cached(token),
            When::At(now) => self.verify_cached_at(token, now),
        }
    }

    /// Tokens held in the verified-token cache.
    pub fn verified_cache_len(&self) -> u64 {
        self.verified.as_ref().map_or(0, VerifiedCache::len)
    }

    /// Through the verified-token cache against a set that is not refetched on a miss.
    fn verify_remembered(&self, token: &str, set: &KeySet, now: f64) -> Result<VerifiedToken> {
        let key = self.cache_key(token);
        if let Some(hit) = self.cache_hit(token, key.as_ref(), set, now) {
            self.counters.cache_hits.inc();
            return Ok(hit);
        }
        self.count_miss(key.as_ref());
        let checked = self.check(token, set, now)?;
        Ok(self.remember(key, checked, now))
    }

    /// A lookup that found nothing usable (only when the cache is on and was asked).
    fn count_miss(&self, key: Option<&TokenKey>) {
        if key.is_some() {
            self.counters.cache_misses.inc();
        }
    }

    /// This validator's counters, with its remote key set's.
    pub fn stats(&self) -> Stats {
        let mut stats = self.counters.snapshot();
        stats.jwks = self.jwks_cache().map(JwksCache::stats);
        stats
    }

    /// Whether the key set can serve verification (an inline set always can). A remote set that
    /// was never fetched, or is past serving, is fetched first (within the cooldown, as any
    /// verification would), so a readiness probe makes a new replica ready without waiting for a
    /// request that the unready replica would never be sent.
    pub async fn health(&self) -> Health {
        let jwks = match self.jwks_cache() {
            Some(cache) => {
                // A failure is what the health then reports; it is not this call's error.
                let _ = cache.current().await;
                Some(cache.health())
            }
            None => None,
        };
        Health::of(jwks, None)
    }

    /// The cache key of `token`, when the cache is on and the token is under the size cap (an
    /// oversized token is refused before any work, hashing included).
    fn cache_key(&self, token: &str) -> Option<TokenKey> {
        let _ = self.verified.as_ref()?;
        (token.len() <= self.config.max_token_bytes).then(|| TokenKey::of(token))
    }

    /// A cached verdict for `token`, if it is still on time and its key is still in `set`.
    fn cache_hit(
        &self,
        token: &str,
        key: Option<&TokenKey>,
        set: &KeySet,
        now: f64,
    ) -> Option<VerifiedToken> {
        let (cache, key) = (self.verified.as_ref()?, key?);
        let entry = cache.get(key, now)?;
        // A key dropped from the set (rotation, compromise) takes its tokens with it, and so does
        // a key replaced under the same `kid`: the kid must still select the very key (same
        // material) that verified the token.
        let present = entry.alg.is_some_and(|alg| {
            set.select(entry.kid.as_deref(), alg)
                .is_ok_and(|k| entry.key.as_ref() == Some(k.fingerprint()))
        });
        if !present {
            cache.remove(key);
            return None;
        }
        Some(VerifiedToken::cached(
            token,
            &self.names,
            self.plan.as_ref(),
        ))
    }

    /// Caches a verdict reached at `now` until its `exp` (+ leeway), or `max_age`, or the ttl.
    fn remember(&self, key: Option<TokenKey>, checked: Checked, now: f64) -> VerifiedToken {
        let Checked {
            verified,
            kid,
            alg,
            key: fingerprint,
            times,
        } = checked;
        let (Some(cache), Some(key)) = (&self.verified, key) else {
            return verified;
        };
        let leeway = self.config.leeway;
        let mut valid_until = times.exp.map_or(f64::INFINITY, |exp| exp + leeway);
        if let (Some(max_age), Some(iat)) = (self.config.max_age, times.iat) {
            valid_until = valid_until.min(iat + max_age.as_secs_f64() + leeway);
        }
        let verdict = Verdict {
            value: (),
            valid_until,
            kid,
            alg: Some(alg),
            key: Some(fingerprint),
            jti: None,
        };
        cache.insert(key, verdict, now);
        verified
    }

    /// Verifies `token` as of `now` using only keys already loaded. Never answered from the
    /// verified-token cache.
    pub fn verify_cached_at(&self, token: &str, now: f64) -> Result<VerifiedToken> {
        let result = crate::time::checked_instant(now).and_then(|now| {
            let (jws, alg) = self.parse(token)?;
            let set = self.cached_key_set()?;
            self.finish(&jws, alg, &set, now)
        });
        self.counters.verifications.record(OIDC, &result);
        result
    }

    /// Parse and finish, keeping the key binding for the cache.
    fn check(&self, token: &str, set: &KeySet, now: f64) -> Result<Checked> {
        let (jws, alg) = self.parse(token)?;
        let (verified, key, times) = self.finish_keyed(&jws, alg, set, now)?;
        Ok(Checked {
            verified,
            kid: jws.header.into_owned().kid,
            alg,
            key,
            times,
        })
    }

    /// Size cap, strict parse, header rules, algorithm allowlist, `typ`, `kid` presence.
    fn parse<'t>(&self, token: &'t str) -> Result<(Jws<'t>, Algorithm)> {
        size_cap::check(token, self.config.max_token_bytes)?;
        let jws = parse_jws(token)?;
        let alg = Algorithm::from_name(&jws.header.alg)
            .filter(|a| self.config.algorithms.contains(a))
            .ok_or_else(|| {
                err(
                    ErrorCode::AlgorithmNotAllowed,
                    format!("algorithm `{}` is not allowed", clip(&jws.header.alg)),
                )
            })?;
        if let Some(allowed) = &self.config.allowed_typ {
            let ok = jws
                .header
                .typ
                .as_deref()
                .is_some_and(|t| allowed.iter().any(|a| a.eq_ignore_ascii_case(t)));
            if !ok {
                return Err(err(
                    ErrorCode::TokenMalformed,
                    "header `typ` is not an allowed type",
                ));
            }
        }
        if self.config.require_kid && jws.header.kid.is_none() {
            return Err(unknown_key(None, alg));
        }
        Ok((jws, alg))
    }

    /// Signature with the selected key, then claims, then identity.
    fn finish(
        &self,
        jws: &Jws<'_>,
        alg: Algorithm,
        set: &KeySet,
        now: f64,
    ) -> Result<VerifiedToken> {
        self.finish_keyed(jws, alg, set, now)
            .map(|(verified, _, _)| verified)
    }

    /// [`finish`](Self::finish), also giving the fingerprint of the key that verified the token.
    fn finish_keyed(
        &self,
        jws: &Jws<'_>,
        alg: Algorithm,
        set: &KeySet,
        now: f64,
    ) -> Result<(VerifiedToken, [u8; 32], Times)> {
        let key = set.select(jws.header.kid.as_deref(), alg)?;
        if !key.verify(alg, jws.signing_input.as_bytes(), jws.signature.bytes()) {
            return Err(err(
                ErrorCode::InvalidSignature,
                "signature does not verify",
            ));
        }
        let malformed = |e: json::JsonError| err(ErrorCode::TokenMalformed, format!("claims {e}"));
        let (verified, times) = match &self.plan {
            Some(plan) => {
                let mut fields = OidcFields::new(plan);
                json::parse_fields(&jws.payload, &mut fields).map_err(malformed)?;
                check_oidc_claims(&fields, &self.config, now)?;
                let identity = identity(&fields, &self.names)?;
                let times = Times::of(&fields);
                (VerifiedToken::checked(&jws.payload, identity), times)
            }
            None => {
                let claims = json::parse_object(&jws.payload).map_err(malformed)?;
                check_oidc_claims(&claims, &self.config, now)?;
                let identity = identity(&claims, &self.names)?;
                let times = Times::of(&claims);
                (VerifiedToken::parsed(claims, identity), times)
            }
        };
        Ok((verified, *key.fingerprint(), times))
    }
}
