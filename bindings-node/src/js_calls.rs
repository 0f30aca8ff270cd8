//! Calling JS store and lookup methods from the runtime.
//!
//! `lib/index.js` normalises a caller's object into functions that always return a Promise of
//! `{ value }` or `{ error: { code, message } }` and never throw, whatever the original method
//! does (returns a value, returns a Promise, throws, rejects). Here each function becomes a weak
//! threadsafe function (it does not keep Node alive on its own): calling it queues the call on
//! the JS thread, and awaiting the returned Promise happens off it.

use incidentfox_auth::{Error, ErrorCode, Result};
use napi::bindgen_prelude::{Function, JsObjectValue, Object, Promise, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use serde_json::Value;

/// A normalised JS method taking `A`, callable from any thread.
pub type JsCall<A> = ThreadsafeFunction<A, Promise<Value>, A, Status, false, true>;

/// The function `object[method]`, as a threadsafe function.
pub fn js_call<A: ToNapiValue + 'static>(
    object: &Object<'_>,
    method: &str,
) -> napi::Result<JsCall<A>> {
    let function: Function<'_, A, Promise<Value>> = object.get_named_property(method)?;
    function.build_threadsafe_function().weak::<true>().build()
}

/// Calls `call` with `arg` and awaits its outcome: the `value`, or the error it carries. An
/// error naming one of our codes keeps it (a lookup may answer `token_revoked` itself); any
/// other failure is `failure`, naming the method.
pub async fn invoke<A: ToNapiValue + 'static>(
    call: &JsCall<A>,
    arg: A,
    method: &str,
    failure: ErrorCode,
) -> Result<Value> {
    let broken = |e: napi::Error| Error::new(failure, format!("js `{method}`: {}", e.reason));
    let promise = call.call_async(arg).await.map_err(broken)?;
    let mut outcome = promise.await.map_err(broken)?;
    if let Some(error) = outcome.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let code = error
            .get("code")
            .and_then(Value::as_str)
            .and_then(ErrorCode::from_name);
        return Err(match code {
            Some(code) => Error::new(code, message),
            None => Error::new(failure, format!("js `{method}` failed: {message}")),
        });
    }
    Ok(outcome
        .get_mut("value")
        .map(Value::take)
        .unwrap_or(Value::Null))
}
