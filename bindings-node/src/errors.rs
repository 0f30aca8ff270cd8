//! Core errors as JS `Error` objects: `code` is `ERR_` + the upper-cased snake_case code (jose's
//! habit) and `status` the HTTP status hint, both set here so sync throws and Promise rejections
//! carry the same properties.

use incidentfox_auth::{Error, ErrorCode};
use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{Env, JsError, JsTypeError, JsValue, Status};
use napi_derive::napi;

/// One error code and its HTTP status.
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The stable snake_case code, e.g. `token_expired`.
    pub code: String,
    /// The HTTP status a service should answer with.
    pub status: u16,
}

/// Every core error code with its HTTP status, in the core's declaration order
/// (`ErrorCode::ALL`); `ERROR_CODES` in `lib/index.js` is built from it.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    ErrorCode::ALL
        .iter()
        .map(|c| ErrorCodeInfo {
            code: c.as_str().to_owned(),
            status: c.http_status(),
        })
        .collect()
}

/// The HTTP answer to an error: what `errorHttpResponse` returns.
#[napi(object)]
pub struct ErrorHttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// `[name, value]` pairs (lowercase names).
    #[napi(ts_type = "Array<[string, string]>")]
    pub headers: Vec<Vec<String>>,
    /// The JSON body `{"error": {"code", "status", "message"}}`, its message the code's fixed one.
    pub body: String,
}

/// The answer a service gives an untrusted caller for error code `code` (snake_case): the
/// core's `ErrorCode::http_response`, whose message is fixed per code, so a store's or lookup's
/// error text never reaches the caller. `null` for a code the core does not know.
#[napi]
pub fn error_http_response(code: String) -> Option<ErrorHttpResponse> {
    let answer = ErrorCode::from_name(&code)?.http_response();
    Some(ErrorHttpResponse {
        status: answer.status,
        headers: answer
            .headers
            .iter()
            .map(|(name, value)| vec![(*name).to_owned(), (*value).to_owned()])
            .collect(),
        body: answer.body,
    })
}

/// The JS `code` of a core code: `token_expired` → `ERR_TOKEN_EXPIRED`.
pub fn js_code(code: ErrorCode) -> String {
    format!("ERR_{}", code.as_str().to_ascii_uppercase())
}

/// `error` as a napi error that refers to a JS `Error` built on this thread, so napi throws (or
/// rejects with) that very object, `status` included. Must run on the JS thread.
pub fn js_error(env: &Env, error: &Error) -> napi::Error {
    let fresh = napi::Error::new(js_code(error.code()), error.message());
    let unknown: Unknown<'_> = JsError::from(fresh).into_unknown(*env);
    let mut object = Object::from_raw(env.raw(), unknown.raw());
    let with_status = object.set_named_property("status", error.code().http_status());
    match with_status {
        Ok(()) => napi::Error::from(unknown),
        // Only when the environment is tearing down; nothing can receive the error then.
        Err(e) => napi::Error::new(Status::GenericFailure, format!("{}: {e}", error.code())),
    }
}

/// A JS `TypeError` with `message`, for an argument of the wrong shape that is the caller's
/// mistake in code (an unknown option), not a configuration the core refuses. Must run on the
/// JS thread.
pub fn type_error(env: &Env, message: String) -> napi::Error {
    let error = napi::Error::new(Status::InvalidArg, message);
    napi::Error::from(JsTypeError::from(error).into_unknown(*env))
}

/// An `invalid_config` error for a bad argument.
pub fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidConfig, message)
}

/// Result conversion for `?` in binding code that has the `Env` at hand.
pub trait IntoJs<T> {
    /// Maps a core error to its JS `Error`.
    fn js(self, env: &Env) -> napi::Result<T>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| js_error(env, &e))
    }
}
