//! JTI stores for Python: the in-memory and PostgreSQL stores, and any Python object with
//! `record` / `contains` / `revoke` methods (and `consume` for single use), sync or `async def`.

use crate::convert::{env_map, from_python, to_python};
use crate::errors::{invalid_argument, IntoPy};
use crate::runtime::block_on;
use async_trait::async_trait;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::hooks::{self, HookSettings};
use incidentfox_auth::jti::{self, JtiEntry, JtiStore};
use incidentfox_auth::{Error, ErrorCode, Result};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

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

/// The hook settings of a constructor: `base` (the defaults, or what the environment says) with
/// its `hook_deadline_seconds` and `hook_max_in_flight` arguments.
pub fn hook_settings(
    base: HookSettings,
    deadline_seconds: Option<f64>,
    max_in_flight: Option<i64>,
) -> PyResult<HookSettings> {
    let max_in_flight = max_in_flight
        .map(|n| {
            u64::try_from(n).map_err(|_| {
                invalid_argument(format!("hook_max_in_flight must be positive, got `{n}`"))
            })
        })
        .transpose()?;
    base.with_overrides(deadline_seconds, max_in_flight)
        .py_err()
}

/// The core store behind a Python argument: ours directly, anything else through its methods,
/// behind the deadline and bound of `hooks`.
pub fn store_from(
    obj: Option<&Bound<'_, PyAny>>,
    hooks: &HookSettings,
) -> PyResult<Option<Arc<dyn JtiStore>>> {
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
    Ok(Some(hooks.guard_jti_store(Arc::new(PyJtiStore {
        obj: obj.clone().unbind(),
        consume: obj.hasattr("consume")?,
    }))))
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

/// Where a hook's coroutine runs.
enum Target {
    /// On the event loop of the `*_async` call that called the hook.
    CallerLoop(Py<PyAny>),
    /// On the binding's own loop: a blocking call made where no event loop runs.
    OwnLoop,
    /// Nowhere: a blocking call made on a thread whose event loop is running. That loop is
    /// blocked until the call returns, so a coroutine scheduled on it would never run.
    Refused,
}

/// What calling the hook gave.
enum Called {
    /// A plain value: the answer.
    Value(Py<PyAny>),
    /// A coroutine, scheduled: its `concurrent.futures.Future` and where its outcome arrives.
    Scheduled(Py<PyAny>, oneshot::Receiver<PyResult<Py<PyAny>>>),
    /// A coroutine, closed unrun (see [`Target::Refused`]).
    Refused,
    /// Nothing: the caller had stopped waiting before the hook could start.
    Abandoned,
}

/// Whether the caller still waits for a hook call: cleared when the awaiting future is dropped.
struct Waiting(Arc<AtomicBool>);

impl Default for Waiting {
    fn default() -> Self {
        Waiting(Arc::new(AtomicBool::new(true)))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Calls `method` on a Python object and awaits the result if it is a coroutine. The call runs
/// on a blocking thread holding a [`hooks::thread_permit`], so a stalled sync hook counts against
/// its bound until it returns. A coroutine runs on the event loop of the calling `*_async` task,
/// or on the binding's own loop for a blocking call; either way no thread waits for it, and
/// dropping the returned future (the caller gave up, or the deadline passed) cancels it. A
/// blocking call made inside a running event loop refuses a coroutine at once (see
/// [`Target::Refused`]). Any exception becomes `failure`, naming the method.
pub async fn call_python(
    obj: &Py<PyAny>,
    method: &'static str,
    arg: Py<PyAny>,
    failure: ErrorCode,
) -> Result<Py<PyAny>> {
    let fail = |e: PyErr| python_failure(e, method, failure);
    // Read while still on the calling thread, inside the calling task: task locals do not follow
    // the work onto a blocking thread, and a running loop is only visible from its own thread.
    let (obj, target) = Python::attach(|py| -> PyResult<(Py<PyAny>, Target)> {
        let running = py.import("asyncio")?.call_method0("_get_running_loop")?;
        let target = if !running.is_none() {
            Target::Refused
        } else {
            // With no loop running on this thread, only task locals (an `*_async` call) give one.
            match pyo3_async_runtimes::tokio::get_current_locals(py) {
                Ok(locals) => Target::CallerLoop(locals.event_loop(py).unbind()),
                Err(_) => Target::OwnLoop,
            }
        };
        Ok((obj.clone_ref(py), target))
    })
    .map_err(fail)?;
    let permit = hooks::thread_permit(failure, &format!("python `{method}`"))?;
    let waiting = Waiting::default();
    let wanted = Arc::clone(&waiting.0);
    let called = tokio::task::spawn_blocking(move || {
        // Given back when the Python call returns, however long after the caller gave up.
        let _permit = permit;
        Python::attach(|py| -> PyResult<Called> {
            // A thread (or the interpreter) that came free only after the caller gave up does
            // not start the hook for nobody.
            if !wanted.load(Ordering::Acquire) {
                return Ok(Called::Abandoned);
            }
            let result = obj.bind(py).call_method1(method, (arg.bind(py),))?;
            let coroutine = py
                .import("inspect")?
                .call_method1("iscoroutine", (&result,))?
                .is_truthy()?;
            if !coroutine {
                return Ok(Called::Value(result.unbind()));
            }
            let event_loop = match target {
                Target::CallerLoop(event_loop) => event_loop.into_bound(py),
                Target::OwnLoop => own_loop(py)?,
                Target::Refused => {
                    result.call_method0("close")?;
                    return Ok(Called::Refused);
                }
            };
            schedule(py, &result, &event_loop)
        })
    })
    .await
    .map_err(|e| Error::new(failure, format!("python `{method}`: {e}")))?
    .map_err(fail)?;
    drop(waiting);
    match called {
        Called::Value(value) => Ok(value),
        Called::Abandoned => Err(Error::new(failure, format!("python `{method}`: abandoned"))),
        Called::Refused => Err(Error::new(
            ErrorCode::InvalidConfig,
            format!(
                "python `{method}` is `async def`, and the blocking call that needs it was made \
                 inside a running event loop, which it would block for good: await the call's \
                 `*_async` form (`authenticate_async`, `verify_async`, `mint_async`, \
                 `mint_visitor_async`) instead"
            ),
        )),
        Called::Scheduled(future, outcome) => {
            let cancel = CancelOnDrop(Some(future));
            let outcome = outcome.await;
            cancel.disarm();
            match outcome {
                Ok(answer) => answer.map_err(fail),
                Err(_) => Err(Error::new(
                    failure,
                    format!("python `{method}`: its event loop dropped the call"),
                )),
            }
        }
    }
}

/// Schedules `coroutine` on `event_loop` (which runs on another thread) and has its outcome
/// sent to the returned receiver by a done-callback, so no thread waits on it.
fn schedule(
    py: Python<'_>,
    coroutine: &Bound<'_, PyAny>,
    event_loop: &Bound<'_, PyAny>,
) -> PyResult<Called> {
    let future = py
        .import("asyncio")?
        .call_method1("run_coroutine_threadsafe", (coroutine, event_loop))?;
    let (sender, receiver) = oneshot::channel();
    let sender = Mutex::new(Some(sender));
    let on_done = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let done = args.get_item(0)?;
            // `result()` raises the coroutine's exception, or `CancelledError` once cancelled.
            let outcome = done.call_method0("result").map(Bound::unbind);
            let sender = sender.lock().ok().and_then(|mut s| s.take());
            if let Some(sender) = sender {
                let _ = sender.send(outcome);
            }
            Ok(())
        },
    )?;
    future.call_method1("add_done_callback", (on_done,))?;
    Ok(Called::Scheduled(future.unbind(), receiver))
}

/// Cancels a scheduled coroutine when its caller stops waiting for it.
struct CancelOnDrop(Option<Py<PyAny>>);

impl CancelOnDrop {
    /// The coroutine finished: nothing to cancel.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(future) = self.0.take() {
            // `try_attach`: nothing to cancel once the interpreter is shutting down.
            let _ = Python::try_attach(|py| future.bind(py).call_method0("cancel").map(drop));
        }
    }
}

/// The binding's own event loop, on a daemon thread, for coroutines of hooks called by blocking
/// calls: they run there concurrently, and are cancelled there, without a thread each. Made on
/// first use, and again in a forked child (the thread does not survive a fork).
fn own_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static OWN_LOOP: Mutex<Option<(u32, Py<PyAny>)>> = Mutex::new(None);
    let pid = std::process::id();
    // The lock is never held across a call into Python, which could let another thread in.
    let current = |py: Python<'_>| {
        OWN_LOOP.lock().ok().and_then(|held| match held.as_ref() {
            Some((owner, event_loop)) if *owner == pid => Some(event_loop.clone_ref(py)),
            _ => None,
        })
    };
    if let Some(event_loop) = current(py) {
        return Ok(event_loop.into_bound(py));
    }
    let event_loop = py.import("asyncio")?.call_method0("new_event_loop")?;
    let options = PyDict::new(py);
    options.set_item("target", event_loop.getattr("run_forever")?)?;
    options.set_item("name", "incidentfox-auth hooks")?;
    options.set_item("daemon", true)?;
    py.import("threading")?
        .call_method("Thread", (), Some(&options))?
        .call_method0("start")?;
    let raced = {
        let mut held = OWN_LOOP
            .lock()
            .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("hook loop lock poisoned"))?;
        match held.as_ref() {
            Some((owner, other)) if *owner == pid => Some(other.clone_ref(py)),
            _ => {
                *held = Some((pid, event_loop.clone().unbind()));
                None
            }
        }
    };
    match raced {
        // Another thread made one first: use it, and stop this one.
        Some(other) => {
            event_loop.call_method1("call_soon_threadsafe", (event_loop.getattr("stop")?,))?;
            Ok(other.into_bound(py))
        }
        None => Ok(event_loop),
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
