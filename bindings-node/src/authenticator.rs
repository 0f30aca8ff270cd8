//! The request authenticator, with a JS team-token lookup.

use crate::convert::env_map;
use crate::errors::{invalid_argument, IntoJs};
use crate::js_calls::{invoke, js_call, JsCall};
use crate::observe::{families_of, json_of};
use crate::rbac::{names, Principal, RouteTable};
use crate::runtime::promise;
use crate::stores::{hook_settings, store_from, StoreArg};
use async_trait::async_trait;
use incidentfox_auth::authenticate::CREDENTIAL_HEADERS;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::cookie::SESSION_COOKIE;
use incidentfox_auth::hooks::HookSettings;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::team_tokens::StoredTeamToken;
use incidentfox_auth::team_tokens::TeamTokenLookup;
use incidentfox_auth::When;
use incidentfox_auth::{Credentials, ErrorCode, Result};
use napi::bindgen_prelude::{Object, PromiseRaw};
use napi::Env;
use napi_derive::napi;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A JS object whose `lookup(tokenId)` resolves to the stored row or `null` (normalised by
/// `lib/index.js` to snake_case members and Unix-second times).
struct JsTeamLookup {
    lookup: JsCall<String>,
}

impl std::fmt::Debug for JsTeamLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsTeamLookup")
    }
}

#[async_trait]
impl TeamTokenLookup for JsTeamLookup {
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>> {
        let found = invoke(
            &self.lookup,
            token_id.to_owned(),
            "lookup",
            ErrorCode::LookupUnavailable,
        )
        .await?;
        match found {
            Value::Null => Ok(None),
            found => StoredTeamToken::from_row(&found).map(Some),
        }
    }
}

/// Every header the core reads a credential from, lowercase (the core's `CREDENTIAL_HEADERS`):
/// what the Express and Next.js helpers pass on from a request.
#[napi]
pub fn credential_headers() -> Vec<String> {
    CREDENTIAL_HEADERS
        .iter()
        .map(|&name| name.to_owned())
        .collect()
}

/// The name of the web UI's session cookie (the core's `SESSION_COOKIE`).
#[napi]
pub fn session_cookie_name() -> String {
    SESSION_COOKIE.to_owned()
}

/// Options of `Authenticator.fromEnv`.
#[napi(object, object_to_js = false)]
pub struct AuthenticatorOptions<'a> {
    /// Backs impersonation verification when `IMPERSONATION_JTI_DB_REQUIRE=1` (or single use).
    #[napi(ts_type = "MemoryJtiStore | PostgresJtiStore | import('./lib/types').JtiStore")]
    pub jti_store: Option<StoreArg<'a>>,
    /// The service's team-token table: `lookup(tokenId)` returns the row or null.
    #[napi(ts_type = "import('./lib/types').TeamTokenLookup")]
    pub team_token_lookup: Option<Object<'a>>,
    /// Longest one call to the lookup or a JS store may take, in seconds (else
    /// `AUTH_HOOK_DEADLINE_SECONDS`, default 5): past it the call fails with
    /// `ERR_LOOKUP_UNAVAILABLE` (`ERR_JTI_STORE_UNAVAILABLE` for the store).
    pub hook_deadline_seconds: Option<f64>,
    /// Most calls to the lookup (and, apart, to a JS store) in flight at once (else
    /// `AUTH_HOOK_MAX_IN_FLIGHT`, default 64, at most 256): the next one fails at once with the
    /// same code instead of queueing.
    pub hook_max_in_flight: Option<f64>,
}

/// Options of `authenticate`.
#[napi(object)]
pub struct AuthenticateOptions {
    /// The clock, in Unix seconds (default: now; an explicit clock always verifies in full).
    pub now: Option<f64>,
    /// The request's method (`GET`, `POST`, ...): what `SESSION_COOKIE_CSRF` checks before the
    /// session cookie counts. Without it the method is unknown, which those policies treat as
    /// unsafe.
    pub method: Option<String>,
}

/// The credential headers of a request, and its method when given.
fn credentials(headers: &[(String, String)], method: Option<String>) -> Credentials {
    Credentials::from_request(
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        method,
    )
}

/// One call per request: credential headers to a `Principal`.
#[napi]
pub struct Authenticator {
    inner: Arc<incidentfox_auth::Authenticator>,
    routes: incidentfox_auth::RouteTable,
}

#[napi]
impl Authenticator {
    /// Reads every variable of admin, team, impersonation and route configuration (`env`, else
    /// the process environment); every problem is named in one `ERR_INVALID_CONFIG`.
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
        options: Option<AuthenticatorOptions<'_>>,
    ) -> napi::Result<Authenticator> {
        let vars = env_map(vars);
        let (store, lookup, deadline, max) = options.map_or((None, None, None, None), |o| {
            (
                o.jti_store,
                o.team_token_lookup,
                o.hook_deadline_seconds,
                o.hook_max_in_flight,
            )
        });
        let hooks =
            hook_settings(HookSettings::from_env_source(&vars).js(env)?, deadline, max).js(env)?;
        let mut inner = incidentfox_auth::Authenticator::from_env_source(
            &vars,
            store_from(store, &hooks).js(env)?,
        )
        .js(env)?;
        if let Some(object) = lookup {
            let lookup = js_call(&object, "lookup")
                .map_err(|_| invalid_argument("teamTokenLookup must have a `lookup` method"))
                .js(env)?;
            inner =
                inner.with_team_token_lookup(hooks.guard_lookup(Arc::new(JsTeamLookup { lookup })));
        }
        let routes = incidentfox_auth::RouteTable::from_env_source(&vars).js(env)?;
        Ok(Authenticator {
            inner: Arc::new(inner),
            routes,
        })
    }

    /// The principal of a request with these headers (`[name, value]` pairs; `lib/index.js`
    /// also takes a headers object, a `Headers` or a `Map`) and, in `options`, its method.
    #[napi(
        ts_args_type = "headers: import('./lib/types').HeaderSource, options?: AuthenticateOptions"
    )]
    pub fn authenticate<'env>(
        &self,
        env: &'env Env,
        headers: Vec<(String, String)>,
        options: Option<AuthenticateOptions>,
    ) -> napi::Result<PromiseRaw<'env, Principal>> {
        let (now, method) = options.map_or((None, None), |o| (o.now, o.method));
        let credentials = credentials(&headers, method);
        let auth = Arc::clone(&self.inner);
        promise(env, async move {
            let principal = auth
                .authenticate_when(&credentials, When::from(now))
                .await?;
            Ok(Principal::from(principal))
        })
    }

    /// The answer for a request that needs no work at all (a JWT verified before, answered
    /// from the verifiers' caches without a fetch or a store), or `null`; always `null` with an
    /// explicit `now`. `authenticate` tries this first, so a repeat request is answered without
    /// leaving the main thread.
    #[napi]
    pub fn authenticate_hit(
        &self,
        env: &Env,
        headers: Vec<(String, String)>,
        options: Option<AuthenticateOptions>,
    ) -> napi::Result<Option<Principal>> {
        let (now, method) = options.map_or((None, None), |o| (o.now, o.method));
        let credentials = credentials(&headers, method);
        let outcome = self
            .inner
            .authenticate_hit_when(&credentials, When::from(now));
        Ok(outcome.transpose().js(env)?.map(Principal::from))
    }

    /// A snapshot of this authenticator's counters (the core's `Stats`, snake_case
    /// members): requests by credential kind and outcome, and the figures of its OIDC key set and
    /// JTI store.
    #[napi(ts_return_type = "import('./lib/types').Stats")]
    pub fn stats(&self) -> napi::Result<serde_json::Value> {
        json_of(&self.inner.stats())
    }
    /// Whether the OIDC key set (when remote) can serve and the JTI store (when there is one)
    /// answers one probe call in time (`ready`): for a readiness probe.
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
    /// The grants of an admin with these claims (verified elsewhere), the groups read from the
    /// configured `OIDC_GROUPS_CLAIM`.
    #[napi]
    pub fn grants_from_claims(
        &self,
        env: &Env,
        claims: serde_json::Map<String, Value>,
    ) -> napi::Result<Vec<String>> {
        let grants = self.inner.admin().grants_from_claims(&claims).js(env)?;
        Ok(names(&grants))
    }

    /// The route table read from the same environment.
    #[napi(getter)]
    pub fn routes(&self) -> RouteTable {
        RouteTable {
            inner: self.routes.clone(),
        }
    }
}
