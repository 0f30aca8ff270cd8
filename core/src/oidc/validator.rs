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
        Ok(OidcValidator { config, keys })
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
        self.verify_at(token, unix_now()).await
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
        self.verify_cached_at(token, unix_now())
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
