//! Running core futures from Python: blocking calls release the interpreter; awaitables run on
//! the shared tokio runtime and never block the event loop.

use crate::errors::to_py;
use incidentfox_auth::Error;
use pyo3::prelude::*;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs `future` to completion on the shared runtime with the interpreter released, so other
/// Python threads run meanwhile.
pub fn block_on<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    py.detach(|| {
        let runtime = pyo3_async_runtimes::tokio::get_runtime();
        let mut future = pin!(future);
        // Most calls finish without waiting (keys already fetched, a verified-token cache hit):
        // one poll on this thread, inside the runtime's context, answers them without block_on's
        // parking. A future that is not ready is handed to block_on as it is; polling again with
        // block_on's waker replaces the no-op one, as the Future contract requires.
        let first = {
            let _context = runtime.enter();
            future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
        };
        match first {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => runtime.block_on(future),
        }
    })
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

/// An awaitable that is already settled with `outcome`: an asyncio future of the running loop,
/// its result or exception set. For answers the verified-token cache gives without any work
/// (`verify_hit`, `authenticate_hit`): handing them to the runtime and back would cost two thread
/// hops and a loop wake-up, tens of µs, for a lookup of about one.
pub fn settled<'py, T>(py: Python<'py>, outcome: Result<T, Error>) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a>,
{
    let future = py
        .import("asyncio")?
        .call_method0("get_running_loop")?
        .call_method0("create_future")?;
    match outcome {
        Ok(value) => future.call_method1("set_result", (value,))?,
        Err(error) => future.call_method1("set_exception", (to_py(&error),))?,
    };
    Ok(future)
}
