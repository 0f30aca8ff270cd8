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
