//! JTI stores for Python: the in-memory and PostgreSQL stores, and any Python object with
//! `record` / `contains` / `revoke` methods (and `consume` for single use), sync or `async def`.

use crate::convert::{env_map, from_python, to_python};
use crate::errors::{invalid_argument, IntoPy};
use crate::runtime::block_on;
use async_trait::async_trait;
use incidentfox_auth::jti::{self, JtiEntry, JtiStore};
use incidentfox_auth::{Error, ErrorCode, Result};
use pyo3::prelude::*;
use std::sync::Arc;

/// A JTI entry as the dict Python stores receive: the `impersonation_jtis` columns.
fn entry_json(entry: &JtiEntry) -> serde_json::Value {
    serde_json::json!({
        "jti": entry.jti, "org_id": entry.org_id, "team_node_id": entry.team_node_id,
        "subject": entry.subject, "email": entry.email,
        "issued_at": entry.issued_at, "expires_at": entry.expires_at,
    })
}

fn entry_from(value: &Bound<'_, PyAny>) -> PyResult<JtiEntry> {
    let v = from_python(value)?;
    let text = |name: &str| v.get(name).and_then(|x| x.as_str()).map(str::to_owned);
    let number = |name: &str| v.get(name).and_then(serde_json::Value::as_i64);
    Ok(JtiEntry {
        jti: text("jti").ok_or_else(|| invalid_argument("entry needs a str `jti`"))?,
        org_id: text("org_id").ok_or_else(|| invalid_argument("entry needs a str `org_id`"))?,
        team_node_id: text("team_node_id")
            .ok_or_else(|| invalid_argument("entry needs a str `team_node_id`"))?,
        subject: text("subject"),
        email: text("email"),
        issued_at: number("issued_at")
            .ok_or_else(|| invalid_argument("entry needs an int `issued_at`"))?,
        expires_at: number("expires_at")
            .ok_or_else(|| invalid_argument("entry needs an int `expires_at`"))?,
    })
}

/// JTIs in memory until their token expires.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct MemoryJtiStore {
    inner: Arc<jti::MemoryJtiStore>,
}

#[pymethods]
impl MemoryJtiStore {
    #[new]
    #[pyo3(signature = (capacity=None))]
    fn new(capacity: Option<u64>) -> Self {
        let store = capacity.map_or_else(
            jti::MemoryJtiStore::default,
            jti::MemoryJtiStore::with_capacity,
        );
        MemoryJtiStore {
            inner: Arc::new(store),
        }
    }
    fn record(&self, py: Python<'_>, entry: &Bound<'_, PyAny>) -> PyResult<()> {
        let entry = entry_from(entry)?;
        block_on(py, self.inner.record(&entry))
    }
    fn contains(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.contains(jti))
    }
    fn revoke(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.revoke(jti))
    }
    fn consume(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.consume(jti))
    }
    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
}

/// JTIs in PostgreSQL.
#[pyclass(frozen, module = "incidentfox_auth._native")]
pub struct PostgresJtiStore {
    inner: Arc<jti::PostgresJtiStore>,
}

#[pymethods]
impl PostgresJtiStore {
    #[new]
    #[pyo3(signature = (url, *, pool_size=None))]
    fn new(url: String, pool_size: Option<usize>) -> PyResult<Self> {
        let mut settings = jti::PostgresSettings::new(url);
        if let Some(size) = pool_size {
            settings.pool_size = size;
        }
        Ok(PostgresJtiStore {
            inner: Arc::new(jti::PostgresJtiStore::connect(settings).py_err()?),
        })
    }
    #[staticmethod]
    #[pyo3(signature = (env=None))]
    fn from_env(py: Python<'_>, env: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let env = env_map(py, env)?;
        let settings = jti::PostgresSettings::from_env_source(&env).py_err()?;
        Ok(PostgresJtiStore {
            inner: Arc::new(jti::PostgresJtiStore::connect(settings).py_err()?),
        })
    }
    fn migrate(&self, py: Python<'_>) -> PyResult<()> {
        block_on(py, self.inner.migrate())
    }
    fn purge_expired(&self, py: Python<'_>) -> PyResult<u64> {
        block_on(py, self.inner.purge_expired())
    }
    fn record(&self, py: Python<'_>, entry: &Bound<'_, PyAny>) -> PyResult<()> {
        let entry = entry_from(entry)?;
        block_on(py, self.inner.record(&entry))
    }
    fn contains(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.contains(jti))
    }
    fn revoke(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.revoke(jti))
    }
    fn consume(&self, py: Python<'_>, jti: &str) -> PyResult<bool> {
        block_on(py, self.inner.consume(jti))
    }
}

/// The core store behind a Python argument: ours directly, anything else through its methods.
pub fn store_from(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<dyn JtiStore>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(memory) = obj.cast::<MemoryJtiStore>() {
        return Ok(Some(memory.get().inner.clone()));
    }
    if let Ok(pg) = obj.cast::<PostgresJtiStore>() {
        return Ok(Some(pg.get().inner.clone()));
    }
    for method in ["record", "contains", "revoke"] {
        if !obj.hasattr(method)? {
            return Err(invalid_argument(format!(
                "jti_store must have a `{method}` method"
            )));
        }
    }
    Ok(Some(Arc::new(PyJtiStore {
        obj: obj.clone().unbind(),
        consume: obj.hasattr("consume")?,
    })))
}

/// A Python object used as a JTI store.
struct PyJtiStore {
    obj: Py<PyAny>,
    /// Whether the object has the atomic `consume` that single use needs.
    consume: bool,
}

impl std::fmt::Debug for PyJtiStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PyJtiStore")
    }
}

/// Calls `method` on a Python object and awaits the result if it is awaitable: on the event
/// loop of the calling task when there is one (the `*_async` methods), else in a fresh loop on a
/// blocking thread. Any exception becomes `jti_store_unavailable` naming the method.
pub async fn call_python(
    obj: &Py<PyAny>,
    method: &'static str,
    arg: Py<PyAny>,
    failure: ErrorCode,
) -> Result<Py<PyAny>> {
    let fail = |e: PyErr| python_failure(e, method, failure);
    // Read the event loop while still inside the calling task: task locals do not follow the
    // work onto a blocking thread.
    let (obj, event_loop) = Python::attach(|py| {
        let event_loop = pyo3_async_runtimes::tokio::get_current_locals(py)
            .ok()
            .map(|locals| locals.event_loop(py).unbind());
        (obj.clone_ref(py), event_loop)
    });
    let called = tokio::task::spawn_blocking(move || {
        Python::attach(|py| -> PyResult<(Py<PyAny>, Option<Py<PyAny>>)> {
            let result = obj.bind(py).call_method1(method, (arg.bind(py),))?;
            let coroutine = py
                .import("inspect")?
                .call_method1("iscoroutine", (&result,))?
                .is_truthy()?;
            if !coroutine {
                return Ok((result.unbind(), None));
            }
            let asyncio = py.import("asyncio")?;
            match event_loop {
                // `async def` called from an `*_async` method: run it on the caller's loop.
                Some(event_loop) => {
                    let future = asyncio
                        .call_method1("run_coroutine_threadsafe", (&result, event_loop.bind(py)))?;
                    Ok((py.None(), Some(future.unbind())))
                }
                // Called from a blocking method: no loop of the caller's to use.
                None => Ok((asyncio.call_method1("run", (&result,))?.unbind(), None)),
            }
        })
    })
    .await
    .map_err(|e| Error::new(failure, format!("python `{method}`: {e}")))?
    .map_err(fail)?;
    match called {
        (value, None) => Ok(value),
        (_, Some(future)) => tokio::task::spawn_blocking(move || {
            Python::attach(|py| future.bind(py).call_method0("result").map(Bound::unbind))
        })
        .await
        .map_err(|e| Error::new(failure, format!("python `{method}`: {e}")))?
        .map_err(fail),
    }
}

/// An exception from Python code as a core error: an `AuthError` keeps its code (a lookup may
/// answer `token_revoked` itself); anything else is `failure`.
fn python_failure(e: PyErr, method: &str, failure: ErrorCode) -> Error {
    Python::attach(|py| {
        let value = e.value(py);
        let code = value
            .getattr("code")
            .ok()
            .and_then(|c| c.extract::<String>().ok())
            .and_then(|c| ErrorCode::from_name(&c));
        let message = value
            .getattr("message")
            .ok()
            .and_then(|m| m.extract::<String>().ok())
            .unwrap_or_else(|| value.to_string());
        match code {
            Some(code) => Error::new(code, message),
            None => Error::new(failure, format!("python `{method}` raised: {message}")),
        }
    })
}

/// A Python str.
pub fn py_str(value: &str) -> Py<PyAny> {
    Python::attach(|py| pyo3::types::PyString::new(py, value).into_any().unbind())
}

/// A store's answer: only a real `bool` counts. Truth-testing would read `"false"`, a row, a
/// driver's result object or `[]` as "recorded", and so accept a revoked token. The message names
/// the type that came back, never the value.
fn boolean(value: &Py<PyAny>, method: &str) -> Result<bool> {
    Python::attach(|py| {
        let value = value.bind(py);
        match value.cast::<pyo3::types::PyBool>() {
            Ok(answer) => Ok(answer.is_true()),
            Err(_) => {
                let kind = value
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| "?".to_owned());
                Err(Error::new(
                    ErrorCode::JtiStoreUnavailable,
                    format!("python `{method}` returned a `{kind}`, not a bool"),
                ))
            }
        }
    })
}

#[async_trait]
impl JtiStore for PyJtiStore {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        let json = entry_json(entry);
        let dict = Python::attach(|py| to_python(py, &json).map(Bound::unbind))
            .map_err(|e| Error::new(ErrorCode::JtiStoreUnavailable, e.to_string()))?;
        call_python(&self.obj, "record", dict, ErrorCode::JtiStoreUnavailable)
            .await
            .map(|_| ())
    }
    async fn contains(&self, jti: &str) -> Result<bool> {
        let answer = call_python(
            &self.obj,
            "contains",
            py_str(jti),
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&answer, "contains")
    }
    async fn revoke(&self, jti: &str) -> Result<bool> {
        let answer = call_python(
            &self.obj,
            "revoke",
            py_str(jti),
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&answer, "revoke")
    }
    async fn consume(&self, jti: &str) -> Result<bool> {
        // A single-use verifier refuses a store without `consume` when it is built; this is
        // only reached if the method disappeared since.
        let answer = call_python(
            &self.obj,
            "consume",
            py_str(jti),
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&answer, "consume")
    }
    fn can_consume(&self) -> bool {
        self.consume
    }
}
