//! The request authenticator, with a Python team-token lookup.

use crate::convert::{claims_from_python, env_map, row_from_python};
use crate::errors::{invalid_argument, IntoPy};
use crate::rbac::{grant_names, Principal, RouteTable};
use crate::runtime::{awaitable, block_on, settled};
use crate::stats::{families, py_value, AsPython};
use crate::stores::{call_python, hook_settings, py_str, store_from};
use async_trait::async_trait;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::hooks::HookSettings;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::team_tokens::StoredTeamToken;
use incidentfox_auth::team_tokens::TeamTokenLookup;
use incidentfox_auth::When;
use incidentfox_auth::{Credentials, Error, ErrorCode, Result};
use pyo3::prelude::*;
use pyo3::types::PyMapping;
use std::sync::Arc;

/// A Python object whose `lookup(token_id)` returns the stored row as a dict (or `None`), sync
/// or `async def`.
struct PyTeamLookup {
    obj: Py<PyAny>,
}

impl std::fmt::Debug for PyTeamLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PyTeamLookup")
    }
}

#[async_trait]
impl TeamTokenLookup for PyTeamLookup {
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>> {
        let found = call_python(
            &self.obj,
            "lookup",
            py_str(token_id),
            ErrorCode::LookupUnavailable,
        )
        .await?;
        let value = Python::attach(|py| {
            let found = found.bind(py);
            // `None` is no row.
            (!found.is_none())
                .then(|| row_from_python(found))
                .transpose()
        })
        .map_err(|e| Error::new(ErrorCode::LookupUnavailable, format!("lookup row: {e}")))?;
        value.as_ref().map(StoredTeamToken::from_row).transpose()
    }
}

/// One call per request.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct Authenticator {
    pub(crate) inner: Arc<incidentfox_auth::Authenticator>,
    routes: Py<RouteTable>,
}

/// The request's credential headers, and its method when given (the session-cookie policy may
/// check it).
fn credentials(headers: &Bound<'_, PyAny>, method: Option<String>) -> PyResult<Credentials> {
    let mapping = headers
        .cast::<PyMapping>()
        .map_err(|_| invalid_argument("headers must be a mapping of str to str"))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in mapping.items()?.iter() {
        pairs.push(
            item.extract()
                .map_err(|_| invalid_argument("headers must be a mapping of str to str"))?,
        );
    }
    Ok(Credentials::from_request(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        method,
    ))
}

#[pymethods]
impl Authenticator {
    /// Reads every variable of admin, team, impersonation and route configuration;
    /// `hook_deadline_seconds` and `hook_max_in_flight` bound every call to the lookup and the
    /// store (else `AUTH_HOOK_DEADLINE_SECONDS` and `AUTH_HOOK_MAX_IN_FLIGHT`).
    #[staticmethod]
    #[pyo3(signature = (env=None, *, jti_store=None, team_token_lookup=None,
        hook_deadline_seconds=None, hook_max_in_flight=None))]
    fn from_env(
        py: Python<'_>,
        env: Option<&Bound<'_, PyAny>>,
        jti_store: Option<&Bound<'_, PyAny>>,
        team_token_lookup: Option<&Bound<'_, PyAny>>,
        hook_deadline_seconds: Option<f64>,
        hook_max_in_flight: Option<i64>,
    ) -> PyResult<Self> {
        let env = env_map(py, env)?;
        let hooks = hook_settings(
            HookSettings::from_env_source(&env).py_err()?,
            hook_deadline_seconds,
            hook_max_in_flight,
        )?;
        let mut inner =
            incidentfox_auth::Authenticator::from_env_source(&env, store_from(jti_store, &hooks)?)
                .py_err()?;
        if let Some(lookup) = team_token_lookup.filter(|l| !l.is_none()) {
            if !lookup.hasattr("lookup")? {
                return Err(invalid_argument(
                    "team_token_lookup must have a `lookup` method",
                ));
            }
            inner = inner.with_team_token_lookup(hooks.guard_lookup(Arc::new(PyTeamLookup {
                obj: lookup.clone().unbind(),
            })));
        }
        let routes = incidentfox_auth::RouteTable::from_env_source(&env).py_err()?;
        Ok(Authenticator {
            inner: Arc::new(inner),
            routes: Py::new(py, RouteTable { inner: routes })?,
        })
    }

    /// The principal of a request with these headers; `method` (`GET`, `POST`, ...) is what
    /// `SESSION_COOKIE_CSRF` checks before the session cookie counts.
    #[pyo3(signature = (headers, *, now=None, method=None))]
    fn authenticate(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        now: Option<f64>,
        method: Option<String>,
    ) -> PyResult<Principal> {
        let credentials = credentials(headers, method)?;
        let auth = &self.inner;
        let principal = block_on(py, async move {
            auth.authenticate_when(&credentials, When::from(now)).await
        })?;
        Ok(principal.into())
    }

    /// As `authenticate`, awaitable.
    #[pyo3(signature = (headers, *, now=None, method=None))]
    fn authenticate_async<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'py, PyAny>,
        now: Option<f64>,
        method: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let credentials = credentials(headers, method)?;
        // A repeat token the verified-token cache answers without a fetch or a store is answered
        // here, refusals included (an explicit `now` always takes the full path).
        if let Some(outcome) = self
            .inner
            .authenticate_hit_when(&credentials, When::from(now))
        {
            return settled(py, outcome.map(Principal::from));
        }
        let auth = Arc::clone(&self.inner);
        awaitable(py, async move {
            let principal = auth
                .authenticate_when(&credentials, When::from(now))
                .await?;
            Ok(Principal::from(principal))
        })
    }

    /// The grants of an admin with these claims (verified elsewhere), the groups read from the
    /// configured `OIDC_GROUPS_CLAIM`.
    fn grants_from_claims(&self, claims: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let grants = self
            .inner
            .admin()
            .grants_from_claims(&claims_from_python(claims)?)
            .py_err()?;
        Ok(grant_names(&grants))
    }

    /// A snapshot of this authenticator's request counts, with its OIDC key set's and JTI
    /// store's figures.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let stats = py.detach(|| inner.stats());
        py_value(py, &stats)
    }

    /// Whether the OIDC key set (if remote) is usable and the JTI store (if any) answers one
    /// probe call now: `{"ready", "jwks", "jti_store"}`. Blocks, with the interpreter released,
    /// for at most the hook deadline.
    fn health<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let health = block_on(py, async move { Ok(inner.health().await) })?;
        py_value(py, &health)
    }

    /// As `health`, awaitable.
    fn health_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        awaitable(py, async move { Ok(AsPython(inner.health().await)) })
    }

    /// The counters as Prometheus metric families (dicts).
    fn metric_families<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let stats = py.detach(|| inner.stats());
        families(py, &stats)
    }

    /// The counters as OpenMetrics text.
    fn openmetrics(&self, py: Python<'_>) -> String {
        let inner = &self.inner;
        py.detach(|| openmetrics(&inner.stats()))
    }

    /// The route table read with the same environment.
    #[getter]
    fn routes(&self, py: Python<'_>) -> Py<RouteTable> {
        self.routes.clone_ref(py)
    }
}
