//! `OidcValidator` and `VerifiedToken`.

use crate::convert::{dict, env_map};
use crate::errors::{invalid_argument, IntoPy};
use crate::runtime::{awaitable, block_on, settled};
use crate::stats::{families, py_value, AsPython};
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::When;
use incidentfox_auth::{Algorithm, ClaimNames, KeySource, OidcConfig, VerifiedCacheSettings};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;
use std::time::Duration;

/// An OIDC token that passed every check.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct VerifiedToken {
    pub(crate) inner: incidentfox_auth::VerifiedToken,
}

#[pymethods]
impl VerifiedToken {
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &serde_json::Value::Object(self.inner.claims().clone()))
    }
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.identity().subject
    }
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.identity().email.as_deref()
    }
    #[getter]
    fn groups(&self) -> Vec<String> {
        self.inner.identity().groups.clone()
    }
    #[getter]
    fn org_id(&self) -> Option<&str> {
        self.inner.identity().org_id.as_deref()
    }
    #[getter]
    fn team_node_id(&self) -> Option<&str> {
        self.inner.identity().team_node_id.as_deref()
    }
    fn __repr__(&self) -> String {
        format!("VerifiedToken(subject={:?})", self.inner.identity().subject)
    }
}

/// Validates OIDC tokens against one issuer and a cached, rotating key set.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct OidcValidator {
    pub(crate) inner: Arc<incidentfox_auth::OidcValidator>,
}

fn audiences(value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(one) = value.extract::<String>() {
        return Ok(vec![one]);
    }
    value
        .extract::<Vec<String>>()
        .map_err(|_| invalid_argument("audience must be a str or a list of str"))
}

#[pymethods]
impl OidcValidator {
    #[new]
    #[pyo3(signature = (*, issuer, audience, jwks_json=None, jwks_url=None, discovery=false,
        algorithms=None, leeway=None, groups_claim=None, subject_claim=None, email_claim=None,
        org_id_claim=None, team_node_id_claim=None, required_claims=None, allowed_typ=None,
        max_age=None, require_kid=None, max_token_bytes=None, verified_cache_ttl=None,
        verified_cache_max_entries=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        issuer: String,
        audience: &Bound<'_, PyAny>,
        jwks_json: Option<String>,
        jwks_url: Option<String>,
        discovery: bool,
        algorithms: Option<Vec<String>>,
        leeway: Option<f64>,
        groups_claim: Option<String>,
        subject_claim: Option<String>,
        email_claim: Option<String>,
        org_id_claim: Option<String>,
        team_node_id_claim: Option<String>,
        required_claims: Option<Vec<String>>,
        allowed_typ: Option<Vec<String>>,
        max_age: Option<f64>,
        require_kid: Option<bool>,
        max_token_bytes: Option<usize>,
        verified_cache_ttl: Option<f64>,
        verified_cache_max_entries: Option<u64>,
    ) -> PyResult<OidcValidator> {
        let keys = KeySource::exactly_one(jwks_json, jwks_url, discovery).ok_or_else(|| {
            invalid_argument("give exactly one of jwks_json, jwks_url or discovery=True")
        })?;
        let mut config =
            OidcConfig::new(issuer, String::new(), keys).with_audiences(audiences(audience)?);
        if let Some(required) = require_kid {
            config = config.with_require_kid(required);
        }
        if let Some(names) = algorithms {
            config = config.with_algorithms(Algorithm::parse_list(&names).py_err()?);
        }
        if let Some(leeway) = leeway {
            config = config.with_leeway(leeway);
        }
        let defaults = ClaimNames::default();
        let names = ClaimNames {
            subject: subject_claim.unwrap_or(defaults.subject),
            email: email_claim.unwrap_or(defaults.email),
            groups: groups_claim.unwrap_or(defaults.groups),
            org_id: org_id_claim.unwrap_or(defaults.org_id),
            team_node_id: team_node_id_claim.unwrap_or(defaults.team_node_id),
        };
        config = config.with_claim_names(names);
        if let Some(claims) = required_claims {
            config = config.with_required_claims(claims);
        }
        if let Some(typ) = allowed_typ {
            config = config.with_allowed_typ(typ);
        }
        if let Some(seconds) = max_age {
            let age = Duration::try_from_secs_f64(seconds).map_err(|_| {
                invalid_argument("max_age must be a non-negative number of seconds")
            })?;
            config = config.with_max_age(age);
        }
        if let Some(bytes) = max_token_bytes {
            config = config.with_max_token_bytes(bytes);
        }
        config = config.with_verified_cache(
            VerifiedCacheSettings::with_overrides(verified_cache_ttl, verified_cache_max_entries)
                .py_err()?,
        );
        Ok(OidcValidator {
            inner: Arc::new(incidentfox_auth::OidcValidator::new(config).py_err()?),
        })
    }

    /// Reads the `OIDC_*` variables; `None` unless `OIDC_ENABLED=1`.
    #[staticmethod]
    #[pyo3(signature = (env=None))]
    fn from_env(py: Python<'_>, env: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OidcValidator>> {
        let env = env_map(py, env)?;
        let Some(config) = OidcConfig::from_env_source(&env).py_err()? else {
            return Ok(None);
        };
        Ok(Some(OidcValidator {
            inner: Arc::new(incidentfox_auth::OidcValidator::new(config).py_err()?),
        }))
    }

    /// Verifies `token`, fetching keys when needed, with the interpreter released.
    #[pyo3(signature = (token, *, now=None))]
    fn verify(&self, py: Python<'_>, token: &str, now: Option<f64>) -> PyResult<VerifiedToken> {
        let validator = &self.inner;
        let inner = block_on(py, async move {
            validator.verify_when(token, When::from(now)).await
        })?;
        Ok(VerifiedToken { inner })
    }

    /// As `verify`, awaitable.
    #[pyo3(signature = (token, *, now=None))]
    fn verify_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // A repeat token the cache answers without a fetch is answered here (an explicit `now`
        // always takes the full path).
        if let Some(inner) = self.inner.verify_hit_when(&token, When::from(now)) {
            return settled(py, Ok(VerifiedToken { inner }));
        }
        let validator = Arc::clone(&self.inner);
        awaitable(py, async move {
            let inner = validator.verify_when(&token, When::from(now)).await?;
            Ok(VerifiedToken { inner })
        })
    }

    /// A snapshot of this validator's counters (`docs/observability.md`).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let stats = py.detach(|| inner.stats());
        py_value(py, &stats)
    }

    /// Whether the key set can serve verification: `{"ready", "jwks", "jti_store"}`. A remote
    /// set never fetched (or past serving) is fetched first, within the cooldown.
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

    /// Tokens held in the verified-token cache (for metrics).
    fn verified_cache_len(&self) -> u64 {
        self.inner.verified_cache_len()
    }

    /// Verifies with keys already loaded; never touches the network.
    #[pyo3(signature = (token, *, now=None))]
    fn verify_cached(
        &self,
        py: Python<'_>,
        token: &str,
        now: Option<f64>,
    ) -> PyResult<VerifiedToken> {
        let validator = &self.inner;
        let inner = py
            .detach(|| validator.verify_cached_when(token, When::from(now)))
            .py_err()?;
        Ok(VerifiedToken { inner })
    }
}
