//! `OidcLogin`: the web UI's login flow, for a server-side exchange in Python services.

use crate::convert::{dict, env_map};
use crate::errors::IntoPy;
use crate::runtime::{awaitable, block_on};
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::login::{self, LoginConfig, LoginResult, SetCookie};
use incidentfox_auth::{Algorithm, Secret};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{json, Value};
use std::sync::Arc;

fn cookie_json(cookie: &SetCookie) -> Value {
    json!({
        "name": cookie.name, "value": cookie.value, "path": cookie.path, "max_age": cookie.max_age,
        "http_only": cookie.http_only, "secure": cookie.secure, "same_site": cookie.same_site,
        "header": cookie.header_value(),
    })
}

fn result_json(result: &LoginResult) -> Value {
    json!({
        "identity": result.identity,
        "id_token": result.id_token,
        "return_to": result.return_to,
        "require_role": result.require_role,
        "clear_cookies": result.clear_cookies.iter().map(cookie_json).collect::<Vec<_>>(),
        "session_cookie": cookie_json(&result.session_cookie()),
    })
}

/// Authorization Code + PKCE + nonce login against one provider.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct OidcLogin {
    inner: Arc<login::OidcLogin>,
}

#[pymethods]
impl OidcLogin {
    /// Prepares the login (missing endpoints are discovered from the issuer now); cookies are
    /// `Secure` unless `cookie_secure` says otherwise, when the public base URL is https.
    #[new]
    #[pyo3(signature = (*, issuer, client_id, public_base_url, client_secret=None,
        authorization_endpoint=None, token_endpoint=None, jwks_url=None, scopes=None,
        cookie_secure=None, algorithms=None, groups_claim=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        issuer: String,
        client_id: String,
        public_base_url: String,
        client_secret: Option<String>,
        authorization_endpoint: Option<String>,
        token_endpoint: Option<String>,
        jwks_url: Option<String>,
        scopes: Option<Vec<String>>,
        cookie_secure: Option<bool>,
        algorithms: Option<Vec<String>>,
        groups_claim: Option<String>,
    ) -> PyResult<Self> {
        let mut config = LoginConfig::new(issuer, client_id, public_base_url);
        config.client_secret = client_secret.map(Secret::new);
        config.authorization_endpoint = authorization_endpoint;
        config.token_endpoint = token_endpoint;
        config.jwks_url = jwks_url;
        if let Some(scopes) = scopes {
            config.scopes = scopes;
        }
        if let Some(secure) = cookie_secure {
            config.cookie_secure = secure;
        }
        if let Some(names) = algorithms {
            config.algorithms = Algorithm::parse_list(&names).py_err()?;
        }
        if let Some(claim) = groups_claim {
            config.groups_claim = claim;
        }
        let inner = block_on(py, login::OidcLogin::new(config))?;
        Ok(OidcLogin {
            inner: Arc::new(inner),
        })
    }

    /// Reads the `WEB_UI_*` variables; `None` unless `WEB_UI_OIDC_ENABLED=1`.
    #[staticmethod]
    #[pyo3(signature = (env=None))]
    fn from_env(py: Python<'_>, env: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OidcLogin>> {
        let env = env_map(py, env)?;
        let Some(config) = LoginConfig::from_env_source(&env).py_err()? else {
            return Ok(None);
        };
        let inner = block_on(py, login::OidcLogin::new(config))?;
        Ok(Some(OidcLogin {
            inner: Arc::new(inner),
        }))
    }

    /// `{"authorization_url", "cookies": [{name, value, path, max_age, http_only, secure,
    /// same_site, header}]}`.
    #[pyo3(signature = (return_to=None, require_role=None))]
    fn begin<'py>(
        &self,
        py: Python<'py>,
        return_to: Option<&str>,
        require_role: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let start = self.inner.begin(return_to, require_role).py_err()?;
        let cookies: Vec<Value> = start.cookies.iter().map(cookie_json).collect();
        dict(
            py,
            &json!({"authorization_url": start.authorization_url, "cookies": cookies}),
        )
    }

    /// Finishes the login: `{"identity", "id_token", "return_to", "require_role",
    /// "clear_cookies", "session_cookie"}`.
    fn complete<'py>(
        &self,
        py: Python<'py>,
        query: &str,
        cookie_header: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let login = &self.inner;
        let result = block_on(py, login.complete(query, cookie_header))?;
        dict(py, &result_json(&result))
    }

    /// As `complete`, awaitable.
    fn complete_async<'py>(
        &self,
        py: Python<'py>,
        query: String,
        cookie_header: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let login = Arc::clone(&self.inner);
        awaitable(py, async move {
            let result = login.complete(&query, &cookie_header).await?;
            Ok(LoginJson(result_json(&result)))
        })
    }
}

/// A login result on its way to Python as a dict.
struct LoginJson(Value);

impl<'py> IntoPyObject<'py> for LoginJson {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        crate::convert::to_python(py, &self.0)
    }
}
