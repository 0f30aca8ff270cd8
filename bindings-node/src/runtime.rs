//! Core futures as JS Promises on napi's tokio runtime: the event loop never waits on a key
//! fetch or a store.

use crate::errors::js_error;
use incidentfox_auth::Error;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::Env;
use std::future::Future;

/// Runs `future` on the runtime and settles the returned Promise with its value, or rejects it
/// with the JS `Error` of its core error (built back on the JS thread, where JS values live).
pub fn promise<'env, T, F>(env: &'env Env, future: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, Error>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(future.await) }, |env, outcome| {
        outcome.map_err(|e| js_error(env, &e))
    })
}

/// napi's tokio runtime with one worker fewer than the machine has cores (at least one), unless
/// `TOKIO_WORKER_THREADS` says otherwise. The JS thread is always busy in a Node server, and the
/// default (a worker per core) oversubscribes the cores: on two cores, concurrent `await verify`
/// calls were slower with two workers than with one, because the workers and the JS thread kept
/// preempting each other and every wake-up became a context switch (docs/benchmarks.md).
///
/// Runs when the addon loads (napi starts its runtime while registering the module, so later
/// would be too late). If the runtime cannot be built here, napi builds its default one.
#[napi_derive::module_init]
fn init_runtime() {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        builder.worker_threads(cores.saturating_sub(1).max(1));
    }
    if let Ok(runtime) = builder.build() {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}
