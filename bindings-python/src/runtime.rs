//! Running core futures from Python: blocking calls release the interpreter; awaitables run on
//! the shared tokio runtime and never block the event loop.

use crate::errors::to_py;
use incidentfox_auth::Error;
use pyo3::prelude::*;
use std::future::Future;

/// Runs `future` to completion on the shared runtime with the interpreter released, so other
/// Python threads run meanwhile.
pub fn block_on<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    py.detach(|| pyo3_async_runtimes::tokio::get_runtime().block_on(future))
        .map_err(|e| to_py(&e))
}

/// Wraps `future` as a Python awaitable bound to the running event loop.
pub fn awaitable<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(
        py,
        async move { future.await.map_err(|e| to_py(&e)) },
    )
}
