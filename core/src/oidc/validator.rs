//! The OIDC token validator: strict parsing, key selection, signature, claims, identity.

use super::claims::{check_oidc_claims, identity, Identity};
use super::config::{KeySource, OidcConfig};
use crate::error::{err, ErrorCode, Result};
use crate::jose::{json, parse_compact, Algorithm, CompactJws};
use crate::keys::cache::{CachedSet, RemoteSource};
use crate::keys::set::unknown_key;
use crate::keys::{JwksCache, KeyPolicy, KeySet};
use crate::text::clip;
use crate::time::unix_now;
use crate::verified_cache::{Verdict, VerifiedCache};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedToken {
    /// All claims of the payload.
    pub claims: Map<String, Value>,
    /// The identity read from them.
    pub identity: Identity,
}

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
    keys: Keys,
    verified: Option<VerifiedCache<VerifiedToken>>,
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
                crate::keys::fetch::check_url(&config.issuer)?;
                Keys::Remote(JwksCache::new(
                    RemoteSource::Discovery(config.issuer.clone()),
                    policy,
                    config.jwks,
                )?)
            }
        };
        let verified = VerifiedCache::new(config.verified_cache);
        Ok(OidcValidator {
            config,
            keys,
            verified,
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

    /// Verifies `token` now, fetching keys when needed.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken> {
        let now = unix_now();
        if self.verified.is_some() {
            // The set as a full verification would see it, so a hit still drives the background
            // refresh and the stale window; an error falls through to the full path.
            let set = match &self.keys {
                Keys::Remote(cache) => cache.current().await.ok(),
                Keys::Static(_) => None,
            };
            if let Some(hit) = self.cache_hit(token, now, set.as_ref()) {
                return Ok(hit);
            }
        }
        let verified = self.verify_at(token, now).await?;
        self.remember(token, &verified, now);
        Ok(verified)
    }

    /// Verifies `token` as of `now` (Unix seconds), fetching keys when needed.
    pub async fn verify_at(&self, token: &str, now: f64) -> Result<VerifiedToken> {
        let (jws, alg) = self.parse(token)?;
        match &self.keys {
            Keys::Static(set) => self.finish(&jws, alg, set, now),
            Keys::Remote(cache) => {
                let CachedSet { set, generation } = cache.current().await?;
                // Key selection is the only source of `unknown_key_id`, so a miss is retried once
                // against a refetched set without selecting twice on the hit path.
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

    /// Verifies `token` now using only keys already loaded; never touches the network.
    pub fn verify_cached(&self, token: &str) -> Result<VerifiedToken> {
        let now = unix_now();
        if self.verified.is_some() {
            let set = match &self.keys {
                Keys::Remote(cache) => cache.cached().ok(),
                Keys::Static(_) => None,
            };
            if let Some(hit) = self.cache_hit(token, now, set.as_ref()) {
                return Ok(hit);
            }
        }
        let verified = self.verify_cached_at(token, now)?;
        self.remember(token, &verified, now);
        Ok(verified)
    }

    /// Empties the verified-token cache (e.g. after changing trust out of band).
    pub fn clear_verified_cache(&self) {
        if let Some(cache) = &self.verified {
            cache.clear();
        }
    }

    /// Tokens held in the verified-token cache.
    pub fn verified_cache_len(&self) -> u64 {
        self.verified.as_ref().map_or(0, VerifiedCache::len)
    }

    /// A cached verdict for `token`, if it is still on time and its key is still in the set.
    fn cache_hit(
        &self,
        token: &str,
        now: f64,
        current: Option<&CachedSet>,
    ) -> Option<VerifiedToken> {
        let cache = self.verified.as_ref()?;
        let entry = cache.get(token, now)?;
        if let Keys::Remote(_) = &self.keys {
            // A key dropped from the set (rotation, compromise) takes its tokens with it; no
            // usable set (outage past the stale window) means no hit either.
            let present = match (current, entry.alg) {
                (Some(current), Some(alg)) => current.set.select(entry.kid.as_deref(), alg).is_ok(),
                _ => false,
            };
            if !present {
                cache.remove(token);
                return None;
            }
        }
        Some(entry.value.clone())
    }

    /// Caches a verdict reached at `now` until its `exp` (+ leeway), or `max_age`, or the ttl.
    fn remember(&self, token: &str, verified: &VerifiedToken, now: f64) {
        let Some(cache) = &self.verified else {
            return;
        };
        let leeway = self.config.leeway;
        let mut valid_until = numeric(verified, "exp").map_or(f64::INFINITY, |exp| exp + leeway);
        if let (Some(max_age), Some(iat)) = (self.config.max_age, numeric(verified, "iat")) {
            valid_until = valid_until.min(iat + max_age.as_secs_f64() + leeway);
        }
        // The header was validated already; read it again only for the key binding.
        let header = parse_compact(token).ok().map(|jws| jws.header);
        let alg = header.as_ref().and_then(|h| Algorithm::from_name(&h.alg));
        let kid = header.and_then(|h| h.kid);
        let verdict = Verdict {
            value: verified.clone(),
            valid_until,
            kid,
            alg,
            jti: None,
        };
        cache.insert(token, verdict, now);
    }

    /// Verifies `token` as of `now` using only keys already loaded.
    pub fn verify_cached_at(&self, token: &str, now: f64) -> Result<VerifiedToken> {
        let (jws, alg) = self.parse(token)?;
        let set = self.cached_key_set()?;
        self.finish(&jws, alg, &set, now)
    }

    /// Size cap, strict parse, header rules, algorithm allowlist, `typ`, `kid` presence.
    fn parse<'t>(&self, token: &'t str) -> Result<(CompactJws<'t>, Algorithm)> {
        if token.len() > self.config.max_token_bytes {
            return Err(err(
                ErrorCode::TokenTooLarge,
                format!(
                    "token is {} bytes, over the {}-byte limit",
                    token.len(),
                    self.config.max_token_bytes
                ),
            ));
        }
        let jws = parse_compact(token)?;
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
        jws: &CompactJws<'_>,
        alg: Algorithm,
        set: &KeySet,
        now: f64,
    ) -> Result<VerifiedToken> {
        let key = set.select(jws.header.kid.as_deref(), alg)?;
        if !key.verify(alg, jws.signing_input.as_bytes(), &jws.signature) {
            return Err(err(
                ErrorCode::InvalidSignature,
                "signature does not verify",
            ));
        }
        let claims = json::parse_object(&jws.payload)
            .map_err(|e| err(ErrorCode::TokenMalformed, format!("claims {e}")))?;
        check_oidc_claims(&claims, &self.config, now)?;
        let identity = identity(&claims, &self.config.claims)?;
        Ok(VerifiedToken { claims, identity })
    }
}

fn numeric(verified: &VerifiedToken, name: &str) -> Option<f64> {
    verified.claims.get(name).and_then(Value::as_f64)
}
