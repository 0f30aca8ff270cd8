//! Impersonation and visitor tokens.

use crate::convert::{dict, env_map};
use crate::errors::{invalid_argument, IntoPy};
use crate::rbac::Principal;
use crate::runtime::{awaitable, block_on, settled};
use crate::stats::{families, py_value, AsPython};
use crate::stores::{hook_settings, store_from};
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::hooks::HookSettings;
use incidentfox_auth::impersonation::{
    self as imp, ImpersonationConfig, ImpersonationRequest, RecordMode, VisitorRequest,
};
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::VerifiedCacheSettings;
use incidentfox_auth::When;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A minted token.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct MintedToken {
    inner: imp::MintedToken,
}

#[pymethods]
impl MintedToken {
    #[getter]
    fn token(&self) -> &str {
        &self.inner.token
    }
    #[getter]
    fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }
    /// `{"token", "expires_at", "jti"}` (the mint endpoint's response plus the jti).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(
            py,
            &serde_json::json!({"token": self.inner.token, "expires_at": self.inner.expires_at, "jti": self.inner.jti}),
        )
    }
    fn __repr__(&self) -> String {
        format!(
            "MintedToken(jti={:?}, expires_at={})",
            self.inner.jti, self.inner.expires_at
        )
    }
}

/// A verified impersonation or visitor token.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct VerifiedImpersonation {
    inner: imp::VerifiedImpersonation,
}

#[pymethods]
impl VerifiedImpersonation {
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }
    #[getter]
    fn org_id(&self) -> &str {
        &self.inner.org_id
    }
    #[getter]
    fn team_node_id(&self) -> &str {
        &self.inner.team_node_id
    }
    #[getter]
    fn visitor_session_id(&self) -> Option<&str> {
        self.inner.visitor_session_id.as_deref()
    }
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }
    #[getter]
    fn expires_at(&self) -> f64 {
        self.inner.expires_at
    }
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &serde_json::Value::Object(self.inner.claims().clone()))
    }
    fn principal(&self) -> Principal {
        self.inner.principal().into()
    }
}

/// Settings from keyword arguments, as `ImpersonationConfig`.
#[allow(clippy::too_many_arguments)]
fn config(
    secret: String,
    audience: Option<String>,
    accept_legacy_audience: Option<bool>,
    ttl_seconds: Option<i64>,
    visitor_ttl_seconds: Option<i64>,
    jti_logging: Option<bool>,
    jti_require: Option<bool>,
    record_mode: Option<&str>,
    single_use: Option<bool>,
) -> PyResult<ImpersonationConfig> {
    let mut config = ImpersonationConfig::new(secret);
    if let Some(audience) = audience {
        config.audience = audience;
    }
    if let Some(accept) = accept_legacy_audience {
        config.accept_legacy_audience = accept;
    }
    if let Some(ttl) = ttl_seconds {
        config.set_ttl_seconds(ttl);
    }
    if let Some(ttl) = visitor_ttl_seconds {
        config.set_visitor_ttl_seconds(ttl);
    }
    if let Some(on) = jti_logging {
        config.jti_logging = on;
    }
    if let Some(on) = jti_require {
        config.jti_require = on;
    }
    if let Some(on) = single_use {
        config.single_use = on;
    }
    if let Some(mode) = record_mode {
        config.record_mode = RecordMode::from_name(mode).ok_or_else(|| {
            invalid_argument(format!(
                "record_mode must be strict or best_effort, got `{mode}`"
            ))
        })?;
    }
    Ok(config)
}

/// Mints HS256 impersonation and visitor tokens.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct ImpersonationSigner {
    inner: imp::ImpersonationSigner,
}

#[pymethods]
impl ImpersonationSigner {
    #[new]
    #[pyo3(signature = (secret, *, audience=None, accept_legacy_audience=None, ttl_seconds=None,
        visitor_ttl_seconds=None, jti_logging=None, jti_require=None, record_mode=None,
        single_use=None, jti_store=None, hook_deadline_seconds=None, hook_max_in_flight=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        secret: String,
        audience: Option<String>,
        accept_legacy_audience: Option<bool>,
        ttl_seconds: Option<i64>,
        visitor_ttl_seconds: Option<i64>,
        jti_logging: Option<bool>,
        jti_require: Option<bool>,
        record_mode: Option<&str>,
        single_use: Option<bool>,
        jti_store: Option<&Bound<'_, PyAny>>,
        hook_deadline_seconds: Option<f64>,
        hook_max_in_flight: Option<i64>,
    ) -> PyResult<Self> {
        let hooks = hook_settings(
            HookSettings::default(),
            hook_deadline_seconds,
            hook_max_in_flight,
        )?;
        let config = config(
            secret,
            audience,
            accept_legacy_audience,
            ttl_seconds,
            visitor_ttl_seconds,
            jti_logging,
            jti_require,
            record_mode,
            single_use,
        )?;
        Ok(ImpersonationSigner {
            inner: imp::ImpersonationSigner::new(config, store_from(jti_store, &hooks)?)
                .py_err()?,
        })
    }

    /// Reads the `IMPERSONATION_*` variables.
    #[staticmethod]
    #[pyo3(signature = (env=None, *, jti_store=None, hook_deadline_seconds=None,
        hook_max_in_flight=None))]
    fn from_env(
        py: Python<'_>,
        env: Option<&Bound<'_, PyAny>>,
        jti_store: Option<&Bound<'_, PyAny>>,
        hook_deadline_seconds: Option<f64>,
        hook_max_in_flight: Option<i64>,
    ) -> PyResult<Self> {
        let env = env_map(py, env)?;
        let hooks = hook_settings(
            HookSettings::from_env_source(&env).py_err()?,
            hook_deadline_seconds,
            hook_max_in_flight,
        )?;
        let config = ImpersonationConfig::from_env_source(&env).py_err()?;
        Ok(ImpersonationSigner {
            inner: imp::ImpersonationSigner::new(config, store_from(jti_store, &hooks)?)
                .py_err()?,
        })
    }

    #[pyo3(signature = (*, org_id, team_node_id, subject, email=None, ttl_seconds=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn mint(
        &self,
        py: Python<'_>,
        org_id: String,
        team_node_id: String,
        subject: String,
        email: Option<String>,
        ttl_seconds: Option<i64>,
        now: Option<f64>,
    ) -> PyResult<MintedToken> {
        let request = ImpersonationRequest {
            org_id,
            team_node_id,
            subject,
            email,
            ttl_seconds,
        };
        let signer = &self.inner;
        let inner = block_on(py, async move {
            signer.mint_when(&request, When::from(now)).await
        })?;
        Ok(MintedToken { inner })
    }

    #[pyo3(signature = (*, org_id, team_node_id, subject, email=None, ttl_seconds=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn mint_async<'py>(
        &self,
        py: Python<'py>,
        org_id: String,
        team_node_id: String,
        subject: String,
        email: Option<String>,
        ttl_seconds: Option<i64>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = ImpersonationRequest {
            org_id,
            team_node_id,
            subject,
            email,
            ttl_seconds,
        };
        let signer = self.inner.clone();
        awaitable(py, async move {
            let inner = signer.mint_when(&request, When::from(now)).await?;
            Ok(MintedToken { inner })
        })
    }

    #[pyo3(signature = (*, org_id, team_node_id, session_id, email=None, ttl_seconds=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn mint_visitor(
        &self,
        py: Python<'_>,
        org_id: String,
        team_node_id: String,
        session_id: String,
        email: Option<String>,
        ttl_seconds: Option<i64>,
        now: Option<f64>,
    ) -> PyResult<MintedToken> {
        let request = VisitorRequest {
            org_id,
            team_node_id,
            session_id,
            email,
            ttl_seconds,
        };
        let signer = &self.inner;
        let inner = block_on(py, async move {
            signer.mint_visitor_when(&request, When::from(now)).await
        })?;
        Ok(MintedToken { inner })
    }

    #[pyo3(signature = (*, org_id, team_node_id, session_id, email=None, ttl_seconds=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn mint_visitor_async<'py>(
        &self,
        py: Python<'py>,
        org_id: String,
        team_node_id: String,
        session_id: String,
        email: Option<String>,
        ttl_seconds: Option<i64>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = VisitorRequest {
            org_id,
            team_node_id,
            session_id,
            email,
            ttl_seconds,
        };
        let signer = self.inner.clone();
        awaitable(py, async move {
            let inner = signer.mint_visitor_when(&request, When::from(now)).await?;
            Ok(MintedToken { inner })
        })
    }
}

/// Verifies impersonation and visitor tokens.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct ImpersonationVerifier {
    pub(crate) inner: imp::ImpersonationVerifier,
}

#[pymethods]
impl ImpersonationVerifier {
    #[new]
    #[pyo3(signature = (secret, *, audience=None, accept_legacy_audience=None, ttl_seconds=None,
        visitor_ttl_seconds=None, jti_logging=None, jti_require=None, record_mode=None,
        single_use=None, jti_store=None, verified_cache_ttl=None,
        verified_cache_max_entries=None, hook_deadline_seconds=None, hook_max_in_flight=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        secret: String,
        audience: Option<String>,
        accept_legacy_audience: Option<bool>,
        ttl_seconds: Option<i64>,
        visitor_ttl_seconds: Option<i64>,
        jti_logging: Option<bool>,
        jti_require: Option<bool>,
        record_mode: Option<&str>,
        single_use: Option<bool>,
        jti_store: Option<&Bound<'_, PyAny>>,
        verified_cache_ttl: Option<f64>,
        verified_cache_max_entries: Option<u64>,
        hook_deadline_seconds: Option<f64>,
        hook_max_in_flight: Option<i64>,
    ) -> PyResult<Self> {
        let hooks = hook_settings(
            HookSettings::default(),
            hook_deadline_seconds,
            hook_max_in_flight,
        )?;
        let mut config = config(
            secret,
            audience,
            accept_legacy_audience,
            ttl_seconds,
            visitor_ttl_seconds,
            jti_logging,
            jti_require,
            record_mode,
            single_use,
        )?;
        config.verified_cache =
            VerifiedCacheSettings::with_overrides(verified_cache_ttl, verified_cache_max_entries)
                .py_err()?;
        Ok(ImpersonationVerifier {
            inner: imp::ImpersonationVerifier::new(config, store_from(jti_store, &hooks)?)
                .py_err()?,
        })
    }

    #[staticmethod]
    #[pyo3(signature = (env=None, *, jti_store=None, hook_deadline_seconds=None,
        hook_max_in_flight=None))]
    fn from_env(
        py: Python<'_>,
        env: Option<&Bound<'_, PyAny>>,
        jti_store: Option<&Bound<'_, PyAny>>,
        hook_deadline_seconds: Option<f64>,
        hook_max_in_flight: Option<i64>,
    ) -> PyResult<Self> {
        let env = env_map(py, env)?;
        let hooks = hook_settings(
            HookSettings::from_env_source(&env).py_err()?,
            hook_deadline_seconds,
            hook_max_in_flight,
        )?;
        let config = ImpersonationConfig::from_env_source(&env).py_err()?;
        Ok(ImpersonationVerifier {
            inner: imp::ImpersonationVerifier::new(config, store_from(jti_store, &hooks)?)
                .py_err()?,
        })
    }

    #[pyo3(signature = (token, *, now=None))]
    fn verify(
        &self,
        py: Python<'_>,
        token: &str,
        now: Option<f64>,
    ) -> PyResult<VerifiedImpersonation> {
        let verifier = &self.inner;
        let inner = block_on(py, async move {
            verifier.verify_when(token, When::from(now)).await
        })?;
        Ok(VerifiedImpersonation { inner })
    }

    #[pyo3(signature = (token, *, now=None))]
    fn verify_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // A repeat token the cache answers without a JTI store is answered here (an explicit
        // `now` always takes the full path).
        if let Some(inner) = self.inner.verify_hit_when(&token, When::from(now)) {
            return settled(py, Ok(VerifiedImpersonation { inner }));
        }
        let verifier = self.inner.clone();
        awaitable(py, async move {
            let inner = verifier.verify_when(&token, When::from(now)).await?;
            Ok(VerifiedImpersonation { inner })
        })
    }

    /// A snapshot of this verifier's counters, its JTI store's included.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let stats = py.detach(|| inner.stats());
        py_value(py, &stats)
    }

    /// Whether the JTI store (if any) answers one probe call now: `{"ready", "jwks",
    /// "jti_store"}`. Blocks, with the interpreter released, for at most the hook deadline.
    fn health<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let health = block_on(py, async move { Ok(inner.health().await) })?;
        py_value(py, &health)
    }

    /// As `health`, awaitable.
    fn health_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
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

    /// Verifies `token` on the calling thread: signature and claims only, through the
    /// verified-token cache (never with an explicit `now`). Raises `invalid_config` when this
    /// verifier must ask its JTI store (`jti_require` or `single_use`), which only `verify`
    /// can do.
    #[pyo3(signature = (token, *, now=None))]
    fn verify_cached(
        &self,
        py: Python<'_>,
        token: &str,
        now: Option<f64>,
    ) -> PyResult<VerifiedImpersonation> {
        let verifier = &self.inner;
        let inner = py
            .detach(|| verifier.verify_cached_when(token, When::from(now)))
            .py_err()?;
        Ok(VerifiedImpersonation { inner })
    }
}
