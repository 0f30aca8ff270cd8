//! Impersonation and visitor tokens.

use crate::convert::{env_map, fields_json};
use crate::errors::{invalid_argument, IntoJs};
use crate::observe::{families_of, json_of};
use crate::oidc::VerifyOptions;
use crate::rbac::Principal;
use crate::runtime::promise;
use crate::stores::{hook_settings, store_from, StoreArg};
use incidentfox_auth::config::whole_count;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::hooks::HookSettings;
use incidentfox_auth::impersonation::{
    self as imp, ImpersonationConfig, ImpersonationRequest, RecordMode, VisitorRequest,
};
use incidentfox_auth::jti::JtiStore;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::VerifiedCacheSettings;
use incidentfox_auth::When;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;

/// Settings of `new ImpersonationSigner(...)` and `new ImpersonationVerifier(...)`, as the
/// `IMPERSONATION_*` variables hold them.
#[napi(object, object_to_js = false)]
pub struct ImpersonationOptions<'a> {
    /// The HS256 key (surrounding whitespace stripped, as the config service strips it).
    pub secret: String,
    /// The audience minted and required (default `incidentfox-agent-runtime`).
    pub audience: Option<String>,
    /// Also accept the legacy audience `incidentfox-config-service` at verification.
    pub accept_legacy_audience: Option<bool>,
    /// Team impersonation TTL in seconds (default 900; under 60 is raised to 60).
    pub ttl_seconds: Option<i64>,
    /// Visitor TTL in seconds (default 1800; under 60 is raised to 60).
    pub visitor_ttl_seconds: Option<i64>,
    /// Clock leeway at verification, in seconds (default 0).
    pub leeway_seconds: Option<f64>,
    /// Record each minted JTI in the store.
    pub jti_logging: Option<bool>,
    /// Require the JTI to be recorded (and not revoked) at verification.
    pub jti_require: Option<bool>,
    /// `strict` (default: no token unless recorded) or `best_effort` (the config service's behaviour).
    #[napi(ts_type = "'strict' | 'best_effort'")]
    pub record_mode: Option<String>,
    /// Each token verifies once.
    pub single_use: Option<bool>,
    /// Where JTIs are recorded and checked.
    #[napi(ts_type = "MemoryJtiStore | PostgresJtiStore | import('./lib/types').JtiStore")]
    pub jti_store: Option<StoreArg<'a>>,
    /// Verifier only: longest a verified token is remembered, in seconds (default 15; 0 turns
    /// the verified-token cache off).
    pub verified_cache_ttl_seconds: Option<f64>,
    /// Verifier only: most tokens remembered (default 100,000; 0 turns the cache off).
    pub verified_cache_max_entries: Option<f64>,
    /// Longest one call to a JS `jtiStore` may take, in seconds (default 5): past it the call
    /// fails with `ERR_JTI_STORE_UNAVAILABLE`.
    pub hook_deadline_seconds: Option<f64>,
    /// Most calls to a JS `jtiStore` in flight at once (default 64, at most 256): the next one
    /// fails with `ERR_JTI_STORE_UNAVAILABLE` at once instead of queueing.
    pub hook_max_in_flight: Option<f64>,
}

/// Options of the `fromEnv` factories that take a store.
#[napi(object, object_to_js = false)]
pub struct StoreOptions<'a> {
    /// Where JTIs are recorded and checked.
    #[napi(ts_type = "MemoryJtiStore | PostgresJtiStore | import('./lib/types').JtiStore")]
    pub jti_store: Option<StoreArg<'a>>,
    /// Longest one call to a JS `jtiStore` may take, in seconds (else
    /// `AUTH_HOOK_DEADLINE_SECONDS`, default 5).
    pub hook_deadline_seconds: Option<f64>,
    /// Most calls to a JS `jtiStore` in flight at once (else `AUTH_HOOK_MAX_IN_FLIGHT`, default
    /// 64).
    pub hook_max_in_flight: Option<f64>,
}

/// The store of a `fromEnv` factory, behind the hook settings of `vars` and `options`.
fn env_store(
    vars: &HashMap<String, String>,
    options: Option<StoreOptions<'_>>,
) -> incidentfox_auth::Result<Option<Arc<dyn JtiStore>>> {
    let (store, deadline, max) = options.map_or((None, None, None), |o| {
        (o.jti_store, o.hook_deadline_seconds, o.hook_max_in_flight)
    });
    let hooks = hook_settings(HookSettings::from_env_source(vars)?, deadline, max)?;
    store_from(store, &hooks)
}

/// The store of a constructor, behind the hook settings of its options.
fn option_store(
    options: ImpersonationOptions<'_>,
) -> incidentfox_auth::Result<Option<Arc<dyn JtiStore>>> {
    let hooks = hook_settings(
        HookSettings::default(),
        options.hook_deadline_seconds,
        options.hook_max_in_flight,
    )?;
    store_from(options.jti_store, &hooks)
}

fn config(options: &ImpersonationOptions<'_>) -> incidentfox_auth::Result<ImpersonationConfig> {
    let mut config = ImpersonationConfig::new(options.secret.as_str());
    if let Some(audience) = &options.audience {
        config.audience = audience.clone();
    }
    if let Some(accept) = options.accept_legacy_audience {
        config.accept_legacy_audience = accept;
    }
    if let Some(ttl) = options.ttl_seconds {
        config.set_ttl_seconds(ttl);
    }
    if let Some(ttl) = options.visitor_ttl_seconds {
        config.set_visitor_ttl_seconds(ttl);
    }
    if let Some(leeway) = options.leeway_seconds {
        config.leeway_seconds = leeway;
    }
    if let Some(logging) = options.jti_logging {
        config.jti_logging = logging;
    }
    if let Some(require) = options.jti_require {
        config.jti_require = require;
    }
    if let Some(once) = options.single_use {
        config.single_use = once;
    }
    if let Some(name) = options.record_mode.as_deref() {
        config.record_mode = RecordMode::from_name(name).ok_or_else(|| {
            invalid_argument(format!(
                "recordMode must be strict or best_effort, got `{name}`"
            ))
        })?;
    }
    let max_entries = options
        .verified_cache_max_entries
        .map(|n| whole_count("verifiedCacheMaxEntries", n))
        .transpose()?;
    config.verified_cache =
        VerifiedCacheSettings::with_overrides(options.verified_cache_ttl_seconds, max_entries)?;
    Ok(config)
}

/// A minted token.
#[napi]
pub struct MintedToken {
    inner: imp::MintedToken,
}

#[napi]
impl MintedToken {
    /// The compact JWT.
    #[napi(getter)]
    pub fn token(&self) -> String {
        self.inner.token.clone()
    }
    /// `exp`, Unix seconds.
    #[napi(getter)]
    pub fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }
    /// The token's `jti`.
    #[napi(getter)]
    pub fn jti(&self) -> String {
        self.inner.jti.clone()
    }
    /// `{ token, expires_at, jti }`: the mint endpoint's response plus the jti.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ token: string; expires_at: number; jti: string }"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "token": self.inner.token, "expires_at": self.inner.expires_at, "jti": self.inner.jti,
        })
    }
}

/// What `lib/verified.js` needs to build a `VerifiedImpersonation`: the subject and a NUL, then
/// the JSON text of one array, `[kind, subject, email, orgId, teamNodeId, visitorSessionId, jti,
/// expiresAt]` (see `convert::fields_json`).
///
/// One string rather than a class instance, an object or an array of values, for the reasons
/// given at `VerifiedTokenFields` (src/oidc.rs). The claims are not here: the JS class parses them
/// from the caller's token when first read.
pub type VerifiedImpersonationFields = String;

/// The fields in that order, as `VerifiedImpersonation.principal()` hands them back to
/// `impersonationPrincipal` (parsed in JS, so the kind is a JS string).
pub type ImpersonationFields = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    f64,
);

fn fields(
    token: imp::VerifiedImpersonation,
) -> incidentfox_auth::Result<VerifiedImpersonationFields> {
    fields_json(
        &token.subject,
        &(
            token.kind.as_str(),
            &token.subject,
            &token.email,
            &token.org_id,
            &token.team_node_id,
            &token.visitor_session_id,
            &token.jti,
            token.expires_at,
        ),
    )
}

/// The `/auth/me` principal of a verified impersonation or visitor token (the fields of
/// `VerifiedImpersonation`); `VerifiedImpersonation.principal()` calls this.
#[napi]
pub fn impersonation_principal(
    env: &Env,
    #[napi(
        ts_arg_type = "[string, string, string | null, string, string, string | null, string, number]"
    )]
    fields: ImpersonationFields,
) -> napi::Result<Principal> {
    // The jti and expiry are not part of the principal.
    let (kind, subject, email, org_id, team_node_id, visitor_session_id, _jti, _expires_at) =
        fields;
    let kind = imp::TokenKind::from_name(&kind)
        .ok_or_else(|| invalid_argument(format!("unknown impersonation kind `{kind}`")))
        .js(env)?;
    let principal = kind.principal(
        &org_id,
        &team_node_id,
        &subject,
        email.as_deref(),
        visitor_session_id.as_deref(),
    );
    Ok(principal.into())
}

/// Who a team-impersonation token speaks for.
#[napi(object)]
pub struct MintRequest {
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The admin's subject.
    pub subject: String,
    /// The admin's email (`null` in the token when absent, as the config service writes it).
    pub email: Option<String>,
    /// A TTL instead of the configured one (raised to 60 when lower).
    pub ttl_seconds: Option<i64>,
    /// `iat`, Unix seconds (default: now); NaN or infinite is `ERR_INVALID_CONFIG`.
    pub now: Option<f64>,
}

/// Who a visitor token speaks for.
#[napi(object)]
pub struct VisitorMintRequest {
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The visitor's session id (`sub` becomes `visitor:<sessionId>`).
    pub session_id: String,
    /// The visitor's email, written as the `email` claim (no claim when absent).
    pub email: Option<String>,
    /// A TTL instead of the configured one (raised to 60 when lower).
    pub ttl_seconds: Option<i64>,
    /// `iat`, Unix seconds (default: now); NaN or infinite is `ERR_INVALID_CONFIG`.
    pub now: Option<f64>,
}

/// Mints HS256 team-impersonation and visitor tokens with the config service's claims.
#[napi]
pub struct ImpersonationSigner {
    inner: imp::ImpersonationSigner,
}

#[napi]
impl ImpersonationSigner {
    /// A signer; with `jtiLogging` each minted JTI is recorded in `jtiStore`.
    #[napi(constructor)]
    pub fn new(env: &Env, options: ImpersonationOptions<'_>) -> napi::Result<Self> {
        let config = config(&options).js(env)?;
        let store = option_store(options).js(env)?;
        Ok(ImpersonationSigner {
            inner: imp::ImpersonationSigner::new(config, store).js(env)?,
        })
    }
    /// Reads the `IMPERSONATION_*` variables (`env`, else the process environment).
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
        options: Option<StoreOptions<'_>>,
    ) -> napi::Result<ImpersonationSigner> {
        let vars = env_map(vars);
        let config = ImpersonationConfig::from_env_source(&vars).js(env)?;
        let store = env_store(&vars, options).js(env)?;
        Ok(ImpersonationSigner {
            inner: imp::ImpersonationSigner::new(config, store).js(env)?,
        })
    }
    /// Mints a team-impersonation token; in strict mode it resolves only once the JTI is
    /// recorded.
    #[napi]
    pub fn mint<'env>(
        &self,
        env: &'env Env,
        request: MintRequest,
    ) -> napi::Result<PromiseRaw<'env, MintedToken>> {
        let signer = self.inner.clone();
        let now = request.now;
        let request = ImpersonationRequest {
            org_id: request.org_id,
            team_node_id: request.team_node_id,
            subject: request.subject,
            email: request.email,
            ttl_seconds: request.ttl_seconds,
        };
        promise(env, async move {
            let inner = signer.mint_when(&request, When::from(now)).await?;
            Ok(MintedToken { inner })
        })
    }
    /// Mints a visitor token.
    #[napi]
    pub fn mint_visitor<'env>(
        &self,
        env: &'env Env,
        request: VisitorMintRequest,
    ) -> napi::Result<PromiseRaw<'env, MintedToken>> {
        let signer = self.inner.clone();
        let now = request.now;
        let request = VisitorRequest {
            org_id: request.org_id,
            team_node_id: request.team_node_id,
            session_id: request.session_id,
            email: request.email,
            ttl_seconds: request.ttl_seconds,
        };
        promise(env, async move {
            let inner = signer.mint_visitor_when(&request, When::from(now)).await?;
            Ok(MintedToken { inner })
        })
    }
}

/// Verifies impersonation and visitor tokens: HS256 only, the agent runtime's claim rules, JTI checks.
#[napi]
pub struct ImpersonationVerifier {
    inner: imp::ImpersonationVerifier,
}

#[napi]
impl ImpersonationVerifier {
    /// A verifier; with `jtiRequire` (or `singleUse`) each token's JTI is checked in `jtiStore`.
    #[napi(constructor)]
    pub fn new(env: &Env, options: ImpersonationOptions<'_>) -> napi::Result<Self> {
        let config = config(&options).js(env)?;
        let store = option_store(options).js(env)?;
        Ok(ImpersonationVerifier {
            inner: imp::ImpersonationVerifier::new(config, store).js(env)?,
        })
    }
    /// Reads the `IMPERSONATION_*` variables (`env`, else the process environment).
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
        options: Option<StoreOptions<'_>>,
    ) -> napi::Result<ImpersonationVerifier> {
        let vars = env_map(vars);
        let config = ImpersonationConfig::from_env_source(&vars).js(env)?;
        let store = env_store(&vars, options).js(env)?;
        Ok(ImpersonationVerifier {
            inner: imp::ImpersonationVerifier::new(config, store).js(env)?,
        })
    }
    /// A snapshot of this verifier's counters (the core's `Stats`, snake_case members):
    /// verifications by outcome, verified-token cache lookups, its JTI store's calls.
    #[napi(ts_return_type = "import('./lib/types').Stats")]
    pub fn stats(&self) -> napi::Result<serde_json::Value> {
        json_of(&self.inner.stats())
    }
    /// Whether the JTI store (when there is one) answers one probe call in time (`ready`).
    #[napi(ts_return_type = "Promise<import('./lib/types').Health>")]
    pub fn health<'env>(
        &self,
        env: &'env Env,
    ) -> napi::Result<PromiseRaw<'env, serde_json::Value>> {
        let inner = self.inner.clone();
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
    /// The verified-token cache's answer for `token` when it needs no work at all (cached, on
    /// time, and this verifier asks no JTI store when it verifies), or `null`; always `null`
    /// with an explicit `now`. `verify` tries this first, so a repeat token is answered without
    /// leaving the main thread.
    #[napi(ts_return_type = "import('./lib/verified').VerifiedImpersonation | null")]
    pub fn verify_hit(
        &self,
        env: &Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<Option<VerifiedImpersonationFields>> {
        let now = options.and_then(|o| o.now);
        self.inner
            .verify_hit_when(&token, When::from(now))
            .map(fields)
            .transpose()
            .js(env)
    }
    /// Verifies `token`, then its JTI when required.
    #[napi(ts_return_type = "Promise<import('./lib/verified').VerifiedImpersonation>")]
    pub fn verify<'env>(
        &self,
        env: &'env Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<PromiseRaw<'env, VerifiedImpersonationFields>> {
        let verifier = self.inner.clone();
        let now = options.and_then(|o| o.now);
        promise(env, async move {
            let inner = verifier.verify_when(&token, When::from(now)).await?;
            fields(inner)
        })
    }
    /// Verifies `token` on the calling thread: signature and claims only. Throws
    /// `ERR_INVALID_CONFIG` when this verifier must ask its JTI store (`jtiRequire` or
    /// `singleUse`), which only `verify` can do.
    #[napi(ts_return_type = "import('./lib/verified').VerifiedImpersonation")]
    pub fn verify_sync(
        &self,
        env: &Env,
        token: String,
        options: Option<VerifyOptions>,
    ) -> napi::Result<VerifiedImpersonationFields> {
        let now = options.and_then(|o| o.now);
        self.inner
            .verify_cached_when(&token, When::from(now))
            .and_then(fields)
            .js(env)
    }
}
