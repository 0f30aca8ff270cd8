//! `OidcValidator` and `VerifiedToken`.

use crate::convert::{env_map, fields_json, one_or_many};
use crate::errors::{invalid_argument, IntoJs};
use crate::observe::{families_of, json_of};
use crate::runtime::promise;
use incidentfox_auth::config::whole_count;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::When;
use incidentfox_auth::{Algorithm, ClaimNames, KeySource, OidcConfig, VerifiedCacheSettings};
use napi::bindgen_prelude::PromiseRaw;
use napi::{Either, Env};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Settings of `new OidcValidator(...)`; give exactly one of `jwksJson`, `jwksUrl` or
/// `discovery: true`.
#[napi(object)]
pub struct OidcValidatorOptions {
    /// The exact issuer.
    pub issuer: String,
    /// The accepted audience, or several.
    #[napi(ts_type = "string | string[]")]
    pub audience: Either<String, Vec<String>>,
    /// An inline JWKS, as JSON text or as the parsed object.
    #[napi(ts_type = "string | { keys: object[] }")]
    pub jwks_json: Option<serde_json::Value>,
    /// A JWKS URL (https, or http on loopback), fetched, cached and refreshed.
    pub jwks_url: Option<String>,
    /// Keys from the issuer's OIDC discovery document.
    pub discovery: Option<bool>,
    /// Allowed algorithms (default `["RS256"]`).
    pub algorithms: Option<Vec<String>>,
    /// Clock leeway in seconds (default 30).
    pub leeway: Option<f64>,
    /// Claim name or JSON pointer of the groups (default `groups`).
    pub groups_claim: Option<String>,
    /// Subject claim (default `sub`).
    pub subject_claim: Option<String>,
    /// Email claim (default `email`).
    pub email_claim: Option<String>,
    /// Organisation claim (default `org_id`).
    pub org_id_claim: Option<String>,
    /// Team claim (default `team_node_id`).
    pub team_node_id_claim: Option<String>,
    /// Claims that must be present.
    pub required_claims: Option<Vec<String>>,
    /// Accepted header `typ` values.
    pub allowed_typ: Option<Vec<String>>,
    /// Reject tokens whose `iat` is older than this many seconds.
    pub max_age: Option<f64>,
    /// Tokens must name their key (default true).
    pub require_kid: Option<bool>,
    /// Size cap in bytes, checked before decoding (default 16384).
    pub max_token_bytes: Option<f64>,
    /// Longest a verified token is remembered, in seconds (default 15; 0 turns the
    /// verified-token cache off).
    pub verified_cache_ttl_seconds: Option<f64>,
    /// Most tokens remembered (default 100,000; 0 turns the cache off).
    pub verified_cache_max_entries: Option<f64>,
}

/// Options of the verify calls.
#[napi(object)]
pub struct VerifyOptions {
    /// The clock, in Unix seconds (default: now).
    pub now: Option<f64>,
}

/// What `lib/verified.js` needs to build a `VerifiedToken`: the subject and a NUL, then the
/// identity as the JSON text of one array, `[subject, email, groups, orgId, teamNodeId]` (see
/// `convert::fields_json`).
///
/// One string rather than a class instance, an object or an array of values: a napi class costs
/// a wrapped object, a reference and a finalizer per result, an object's named members a key
/// string each, and an array one Node-API call per element (each a generic property store in
/// V8) plus one per string. A single string crosses in one call; the JS class parses it when a
/// field is first read. The claims are not here: the JS class parses them from the caller's
/// token when first read (the very bytes verified; see `lib/verified.js`).
pub type VerifiedTokenFields = String;

fn fields(token: incidentfox_auth::VerifiedToken) -> incidentfox_auth::Result<VerifiedTokenFields> {
    let identity = token.into_identity();
    fields_json(
        &identity.subject,
        &(
            &identity.subject,
            &identity.email,
            &identity.groups,
            &identity.org_id,
            &identity.team_node_id,
        ),
    )
}

/// Validates OIDC tokens against one issuer and a cached, rotating key set.
#[napi]
pub struct OidcValidator {
    pub(crate) inner: Arc<incidentfox_auth::OidcValidator>,
}

fn key_source(options: &mut OidcValidatorOptions) -> incidentfox_auth::Result<KeySource> {
    // An inline key set given as the parsed object is passed on as its JSON text.
    let json = options.jwks_json.take().map(|j| match j {
        serde_json::Value::String(text) => text,
        value => value.to_string(),
    });
    let discovery = options.discovery.unwrap_or_default();
    KeySource::exactly_one(json, options.jwks_url.take(), discovery)
        .ok_or_else(|| invalid_argument("give exactly one of jwksJson, jwksUrl or discovery: true"))
}

fn config(mut options: OidcValidatorOptions) -> incidentfox_auth::Result<OidcConfig> {
    let keys = key_source(&mut options)?;
    let mut config = OidcConfig::new(options.issuer, String::new(), keys)
        .with_audiences(one_or_many(options.audience));
    if let Some(require) = options.require_kid {
        config = config.with_require_kid(require);
    }
    if let Some(names) = options.algorithms {
        config = config.with_algorithms(Algorithm::parse_list(&names)?);
    }
    if let Some(leeway) = options.leeway {
        config = config.with_leeway(leeway);
    }
    let defaults = ClaimNames::default();
    config = config.with_claim_names(ClaimNames {
        subject: options.subject_claim.unwrap_or(defaults.subject),
        email: options.email_claim.unwrap_or(defaults.email),
        groups: options.groups_claim.unwrap_or(defaults.groups),
        org_id: options.org_id_claim.unwrap_or(defaults.org_id),
        team_node_id: options.team_node_id_claim.unwrap_or(defaults.team_node_id),
    });
    if let Some(claims) = options.required_claims {
        config = config.with_required_claims(claims);
    }
    if let Some(typ) = options.allowed_typ {
        config = config.with_allowed_typ(typ);
    }
    if let Some(seconds) = options.max_age {
        let age = Duration::try_from_secs_f64(seconds)
            .map_err(|_| invalid_argument("maxAge must be a non-negative number of seconds"))?;
        config = config.with_max_age(age);
    }
    if let Some(bytes) = options.max_token_bytes {
        let bytes = whole_count("maxTokenBytes", bytes)?;
        config = config.with_max_token_bytes(usize::try_from(bytes).unwrap_or(usize::MAX));
    }
    let max_entries = options
        .verified_cache_max_entries
        .map(|n| whole_count("verifiedCacheMaxEntries", n))
        .transpose()?;
    config = config.with_verified_cache(VerifiedCacheSettings::with_overrides(
        options.verified_cache_ttl_seconds,
        max_entries,
    )?);
    Ok(config)
}

#[napi]
impl OidcValidator {
    /// A validator for one issuer; the key set loads now when inline, else on first use.
    #[napi(constructor)]
    pub fn new(env: &Env, options: OidcValidatorOptions) -> napi::Result<Self> {
        let validator = config(options)
            .and_then(incidentfox_auth::OidcValidator::new)
            .js(env)?;
        Ok(OidcValidator {
            inner: Arc::new(validator),
        })
    }

    /// Reads the `OIDC_*` variables (`env`, else the process environment); `null` unless
    /// `OIDC_ENABLED=1`.
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
    ) -> napi::Result<Option<OidcValidator>> {
        let vars = env_map(vars);
        let Some(config) = OidcConfig::from_env_source(&vars).js(env)? else {
            return Ok(None);
        };
        Ok(Some(OidcValidator {
            inner: Arc::new(incidentfox_auth::OidcValidator::new(config).js(env)?),
        }))
    }

    /// The verified-token cache's answer for `token` when it needs no work at all (cached, on
    /// time, its key in a key set that needs no refresh), or `null`; always `null` with an
    /// explicit `now`. `verify` tries this first, so a repeat token is answered without leaving
    /// the main thread.
    #[napi(ts_return_type = "import('./lib/verified').VerifiedToken | null")]
    pub fn verify_hit(
        &self,
        env: &Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<Option<VerifiedTokenFields>> {
        let now = options.and_then(|o| o.now);
        self.inner
            .verify_hit_when(&token, When::from(now))
            .map(fields)
            .transpose()
            .js(env)
    }
    /// Tokens held in the verified-token cache (for metrics).
    #[napi]
    pub fn verified_cache_len(&self) -> f64 {
        self.inner.verified_cache_len() as f64
    }
    /// Verifies `token`, fetching keys when needed, off the main thread.
    #[napi(ts_return_type = "Promise<import('./lib/verified').VerifiedToken>")]
    pub fn verify<'env>(
        &self,
        env: &'env Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<PromiseRaw<'env, VerifiedTokenFields>> {
        let validator = Arc::clone(&self.inner);
        let now = options.and_then(|o| o.now);
        promise(env, async move {
            let inner = validator.verify_when(&token, When::from(now)).await?;
            fields(inner)
        })
    }

    /// A snapshot of this validator's counters (the core's `Stats`, snake_case members):
    /// verifications by kind and outcome, verified-token cache lookups, the key set's fetches.
    #[napi(ts_return_type = "import('./lib/types').Stats")]
    pub fn stats(&self) -> napi::Result<serde_json::Value> {
        json_of(&self.inner.stats())
    }
    /// Whether the key set can serve (`ready`), its age and last fetch: for a readiness probe.
    /// A remote set never fetched (or past serving) is fetched first, within the cooldown.
    #[napi(ts_return_type = "Promise<import('./lib/types').Health>")]
    pub fn health<'env>(
        &self,
        env: &'env Env,
    ) -> napi::Result<PromiseRaw<'env, serde_json::Value>> {
        let inner = Arc::clone(&self.inner);
        promise(env, async move { Ok(inner.health().await.to_json()) })
    }
    /// The counters as Prometheus metric families (`incidentfox_auth_*`).
    #[napi(ts_return_type = "import('./lib/types').MetricFamily[]")]
    pub fn metric_families(&self) -> serde_json::Value {
        families_of(&self.inner.stats())
    }
    /// The counters as OpenMetrics text (ending `# EOF`).
    #[napi]
    pub fn openmetrics(&self) -> String {
        openmetrics(&self.inner.stats())
    }
    /// Verifies with the keys already loaded (always, for an inline key set); never touches the
    /// network.
    #[napi(ts_return_type = "import('./lib/verified').VerifiedToken")]
    pub fn verify_sync(
        &self,
        env: &Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<VerifiedTokenFields> {
        let now = options.and_then(|o| o.now);
        self.inner
            .verify_cached_when(&token, When::from(now))
            .and_then(fields)
            .js(env)
    }
}
